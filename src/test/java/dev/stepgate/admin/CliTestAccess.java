package dev.stepgate.admin;

/** The command line as a user runs it ({@link CliTest#run}), for tests in other packages. */
public final class CliTestAccess {
  private CliTestAccess() {}

  public record Result(int code, String out, String err) {}

  public static Result run(String... args) {
    var r = CliTest.run(args);
    return new Result(r.code(), r.out(), r.err());
  }
}
