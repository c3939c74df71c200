package dev.stepgate.admission;

import dev.stepgate.StepgateException;

/** A request the gateway refuses before any policy or upstream sees it (400, 413, 431...). */
public final class RequestRejected extends StepgateException {
  private static final long serialVersionUID = 1L;

  public RequestRejected(String type, int status, String message) {
    super(type, status, message);
  }

  static RequestRejected ambiguousPath(String why) {
    return new RequestRejected("ambiguous-path", 400, "The request path is ambiguous: " + why + ".");
  }
}
