package dev.stepgate.admission;

import java.util.Map;

/**
 * One problem a client can be answered with (RFC 9457): a stable {@code type}, one HTTP status,
 * one title and one plain message, plus fields a client may act on ({@code loginUrl}, {@code
 * rule}, {@code requestId}...). Values come from the one catalogue, {@link Problems}; how they
 * become bytes (problem JSON, an HTML page, a forward-auth answer) is the responder's business.
 *
 * @param type stable suffix of {@link Problems#BASE}
 * @param status the HTTP status, 400..599
 * @param title a short heading, the same for every answer of this type
 * @param detail one plain sentence, safe to show; never a secret, a class name or a stack
 * @param fields extra members of the problem JSON, in order
 */
public record Problem(String type, int status, String title, String detail, Map<String, Object> fields) {
  public Problem {
    if (type == null || !type.matches("[a-z]+(-[a-z]+)*")) throw new IllegalArgumentException("type must be lower-case words joined by '-'");
    if (status < 400 || status > 599) throw new IllegalArgumentException("status must be 400..599");
    if (title == null || title.isBlank()) throw new IllegalArgumentException("title must not be blank");
    if (detail == null || detail.isBlank()) throw new IllegalArgumentException("detail must not be blank");
    fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
  }

  Problem(String type, int status, String title, String detail) {
    this(type, status, title, detail, Map.of());
  }

  /** This problem with {@code name: value} added to its fields (replacing one of that name). */
  public Problem with(String name, Object value) {
    var more = new java.util.LinkedHashMap<>(fields);
    more.put(name, value);
    return new Problem(type, status, title, detail, more);
  }

  /** This problem with every field of {@code more} added. */
  public Problem with(Map<String, ?> more) {
    var all = new java.util.LinkedHashMap<String, Object>(fields);
    all.putAll(more);
    return new Problem(type, status, title, detail, all);
  }

  /** This problem with another message (a catalogue factory's; status and title stay). */
  Problem withDetail(String otherDetail) {
    return new Problem(type, status, title, otherDetail, fields);
  }

  /** The full type URI. */
  public String typeUri() {
    return Problems.BASE + type;
  }
}
