package dev.stepgate.server;

import dev.stepgate.audit.ClosableAuditTrail;
import dev.stepgate.audit.NotifyingAuditTrail;
import dev.stepgate.audit.QueuedAuditTrail;
import dev.stepgate.audit.WebhookNotifier;
import dev.stepgate.config.ConfigException;
import dev.stepgate.config.GatewayConfig;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * The audit trail a config asks for ({@code audit}, SPEC section 9), with {@code notifications}'
 * webhook in front when one is set. The gateway and the admin CLI build theirs here, so a change
 * made by either is written to the same place.
 */
public final class AuditSinks {
  private AuditSinks() {}

  /** Opens the sink; a file that cannot be opened is a config problem (the gateway does not start). */
  public static ClosableAuditTrail open(GatewayConfig config, Clock clock) {
    return open(config.source(), config.audit(), config.notifications(), System.out, clock);
  }

  /**
   * As {@link #open(GatewayConfig, Clock)}, {@code sink: stdout} writing to {@code stdout} (the
   * admin CLI passes stderr: its stdout is the command's answer, which scripts read).
   */
  public static ClosableAuditTrail open(java.nio.file.Path source, GatewayConfig.Audit audit, GatewayConfig.Notifications n,
      java.io.PrintStream stdout, Clock clock) {
    ClosableAuditTrail trail;
    if (audit.sink() == GatewayConfig.AuditSink.FILE) {
      try {
        trail = QueuedAuditTrail.file(audit.path(), clock);
      } catch (IOException e) {
        throw new ConfigException(List.of(source + ": audit.path: cannot open " + audit.path()
            + " for appending (" + e.getClass().getSimpleName() + ")"));
      }
    } else {
      trail = QueuedAuditTrail.stream(stdout, clock);
    }
    if (n.webhookUrl().isEmpty()) return trail;
    var webhook = new WebhookNotifier(n.webhookUrl().get(), n.secret().orElseThrow(), n.maxAttempts(), clock);
    return new NotifyingAuditTrail(trail, webhook, webhook);
  }
}
