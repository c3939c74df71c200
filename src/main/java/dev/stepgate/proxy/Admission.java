package dev.stepgate.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a proxied request may pass: who is calling and what the policy says. It either
 * admits the request, yielding the identity headers to add, or answers the request itself
 * (redirect to sign-in, step-up challenge, 403) and yields empty. A failed future means the
 * decision could not be made: the caller answers 503, never forwards.
 */
public interface Admission {
  Future<Optional<Map<String, String>>> admit(HttpServerRequest req, RequestTarget target);

  /**
   * Decides at once, answering nothing and changing nothing: the identity headers when {@code
   * method target} from the caller with {@code cookieHeader} (null: none) may pass as it is; empty
   * when the request needs {@link #admit} (any refusal, a one-time step-up to spend, or a decision
   * that cannot be made without waiting).
   */
  Optional<Map<String, String>> admitAtOnce(String method, RequestTarget target, String cookieHeader);
}
