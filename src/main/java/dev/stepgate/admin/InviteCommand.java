package dev.stepgate.admin;

import dev.stepgate.Async;
import dev.stepgate.credential.Storage;
import dev.stepgate.passkey.InviteService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** {@code stepgate invite USERNAME}: prints a single-use enrollment link (SPEC section 1). */
@Command(name = "invite", mixinStandardHelpOptions = true,
    description = "Print a single-use enrollment link for USERNAME.")
public final class InviteCommand extends StoreCommand {
  @Parameters(index = "0", paramLabel = "USERNAME", description = "Who the link is for.")
  String username;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "7d", converter = DurationConverter.class,
      description = "How long the link stays valid, e.g. 30m, 12h, 7d (default: ${DEFAULT-VALUE}).")
  Duration ttl;

  public InviteCommand() {}

  InviteCommand(Function<Optional<Path>, AdminSettings> settings) {
    super(settings);
  }

  @Override
  int run(AdminSettings settings, Storage store, PrintWriter out, PrintWriter err) {
    var token = Async.join(new InviteService(store.invites(), store.audit(), Clock.systemUTC(), audit()).createInvite(username, ttl));
    audit().emit(dev.stepgate.audit.AuditEntry.of("admin_action").with("action", "invite").with("target", username.strip()));
    out.println(settings.publicUrl() + "/.stepgate/register?invite=" + token);
    out.flush();
    return OK;
  }

  /** {@code 30s}, {@code 5m}, {@code 12h}, {@code 7d}: a positive whole number and a unit. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      var m = java.util.regex.Pattern.compile("([1-9][0-9]{0,8})([smhd])").matcher(value.strip());
      if (!m.matches()) throw new TypeConversionException("'" + value + "' is not a duration like 30m, 12h or 7d");
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
  }
}
