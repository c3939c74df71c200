package dev.stepgate.admin;

import dev.stepgate.Async;
import dev.stepgate.audit.AuditTrail;
import dev.stepgate.credential.Storage;
import dev.stepgate.passkey.RecoveryService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stepgate recovery-link USERNAME}: prints a single-use account recovery link (SPEC section
 * 4) for a user who lost every passkey and recovery code. Only the token's SHA-256 is stored; the
 * link is shown once.
 */
@Command(name = "recovery-link", mixinStandardHelpOptions = true,
    description = "Print a single-use account recovery link for USERNAME: it lets them enroll a new passkey.")
public final class RecoveryLinkCommand extends StoreCommand {
  @Parameters(index = "0", paramLabel = "USERNAME", description = "Whose account the link recovers.")
  String username;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "24h", converter = InviteCommand.DurationConverter.class,
      description = "How long the link stays valid, e.g. 30m, 12h, 7d (default: ${DEFAULT-VALUE}).")
  Duration ttl;

  private final Clock clock;

  public RecoveryLinkCommand() {
    this.clock = Clock.systemUTC();
  }

  /** For tests: {@code audit} instead of the trail the config names. */
  RecoveryLinkCommand(Function<Optional<Path>, AdminSettings> settings, AuditTrail audit, Clock clock) {
    super(settings);
    this.trail = audit;
    this.clock = clock;
  }

  @Override
  int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err) {
    var key = Async.join(store.secrets().getOrCreate(RecoveryService.CODE_KEY, RecoveryService.newCodeKey()));
    var service = new RecoveryService(store.users(), store.recovery(), audit(), clock, key);
    var token = Async.join(service.issueLink(username, ttl, e -> e.with("by", "admin-cli")));
    var user = Async.join(store.users().byUsername(dev.stepgate.credential.Usernames.normalize(username)));
    adminAction("recovery-link", user.map(u -> u.username()).orElse(username), user.map(u -> u.id()).orElse(null));
    out.println(settings.publicUrl() + "/.stepgate/recover?token=" + token);
    out.flush();
    return OK;
  }
}
