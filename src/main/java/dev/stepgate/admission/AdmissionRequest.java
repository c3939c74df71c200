package dev.stepgate.admission;

import java.util.List;
import java.util.Objects;

/**
 * One request to admit, as every entry point describes it: nothing of Vert.x or Netty.
 *
 * @param method the request method, as sent (methods are case-sensitive)
 * @param host the served host it is for (lower case)
 * @param policyPath the canonical path in the form the policy matches ({@code CanonicalPath.forPolicy})
 * @param pathAndQuery the path and query as forwarded upstream
 * @param cookieHeader the {@code Cookie} header(s), joined; null when none
 * @param peer the client's IP address (for forward-auth: the operator's proxy), or null
 * @param client the client's own address as {@code trusted_proxies} let the gateway know it (a
 *     trusted peer's {@code X-Forwarded-For}, else the peer), or null: what rate limits count
 * @param origins every {@code Origin} header sent (empty: none)
 * @param wantsHtml whether the caller is a browser navigation
 * @param upgrade whether it is a WebSocket upgrade
 * @param requestId the id the answer and the log carry; null until one is needed (the hot path makes none)
 * @param entry which way it came in
 */
public record AdmissionRequest(String method, String host, String policyPath, String pathAndQuery, String cookieHeader,
    String peer, String client, List<String> origins, boolean wantsHtml, boolean upgrade, String requestId, EntryPoint entry) {
  public AdmissionRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(policyPath, "policyPath");
    Objects.requireNonNull(pathAndQuery, "pathAndQuery");
    Objects.requireNonNull(entry, "entry");
    origins = origins == null ? List.of() : List.copyOf(origins);
  }
}
