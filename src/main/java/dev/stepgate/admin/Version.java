package dev.stepgate.admin;

import picocli.CommandLine.IVersionProvider;

/** Reports the jar's version. */
public final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    var v = Version.class.getPackage().getImplementationVersion();
    return new String[] {"stepgate " + (v == null ? "dev" : v)};
  }
}
