package dev.stepgate.policy;

import java.util.Objects;

/**
 * What the policy looks at in a request: its method, its Host (port allowed, ignored), and its
 * canonical path (SPEC section 6) — the same path that is forwarded.
 */
public record PolicyRequest(String method, String host, String canonicalPath) {
  public PolicyRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(canonicalPath, "canonicalPath");
  }
}
