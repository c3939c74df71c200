package dev.stepgate.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code stepgate}: the top-level command; it only lists its subcommands. */
@Command(
    name = "stepgate",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Passkey gateway: WebAuthn sign-in, route policies with step-up, signed identity for the app behind it.",
    subcommands = {RunCommand.class, DemoCommand.class, DemoAppCommand.class, PolicyCommand.class, InviteCommand.class, RecoveryLinkCommand.class,
        UsersCommand.class, CredentialsCommand.class, KeysCommand.class, CdsTrainingCommand.class})
public final class StepgateCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a command is required");
  }
}
