package dev.stepgate.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The certificates an authenticator's attestation chain must reach when {@code
 * webauthn.allowed_aaguids} is set (WebAuthn L3 §7.1 steps 23-24: "assess the attestation
 * trustworthiness"). Two sources, both files the operator provides:
 *
 * <ul>
 *   <li>{@code webauthn.attestation_roots}: a PEM bundle; each root may anchor any allowed AAGUID.
 *   <li>{@code webauthn.mds_file}: FIDO Metadata Service 3 data: the signed BLOB as published (a
 *       JWT, verified against {@code webauthn.mds_root}), its payload JSON ({@code {"entries":
 *       [...]}}), a JSON array of metadata statements, or one statement; each
 *       statement's {@code attestationRootCertificates} anchor its own {@code aaguid} only. An
 *       entry whose newest status report says the model is compromised (FIDO MDS3 §3.1.4) is left
 *       out, so its authenticators are refused.
 * </ul>
 *
 * @param bundle roots for every allowed AAGUID
 * @param byAaguid roots for one authenticator model each
 */
public record AttestationRoots(List<X509Certificate> bundle, Map<UUID, List<X509Certificate>> byAaguid) {
  /** No roots: attestation cannot be trusted at all. */
  public static final AttestationRoots NONE = new AttestationRoots(List.of(), Map.of());

  /** Larger files are refused; the whole MDS3 payload is a few MiB. */
  static final long MAX_FILE_SIZE = 32L << 20;

  /** FIDO MDS3 AuthenticatorStatus values after which a model must not be trusted (§3.1.4). */
  static final Set<String> COMPROMISED = Set.of("REVOKED", "USER_VERIFICATION_BYPASS", "ATTESTATION_KEY_COMPROMISE",
      "USER_KEY_REMOTE_COMPROMISE", "USER_KEY_PHYSICAL_COMPROMISE");

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]*?)-----END CERTIFICATE-----");

  public AttestationRoots {
    bundle = List.copyOf(bundle);
    var copy = new LinkedHashMap<UUID, List<X509Certificate>>();
    byAaguid.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    byAaguid = Map.copyOf(copy);
  }

  /** True when no root is configured. */
  public boolean isEmpty() {
    return bundle.isEmpty() && byAaguid.isEmpty();
  }

  /** The roots that may anchor an attestation from authenticator model {@code aaguid}. */
  public List<X509Certificate> forAaguid(UUID aaguid) {
    var out = new ArrayList<>(bundle);
    out.addAll(byAaguid.getOrDefault(aaguid, List.of()));
    return List.copyOf(out);
  }

  /** These roots and {@code other}'s. */
  public AttestationRoots with(AttestationRoots other) {
    var b = new ArrayList<>(bundle);
    b.addAll(other.bundle);
    var m = new LinkedHashMap<UUID, List<X509Certificate>>(byAaguid);
    other.byAaguid.forEach((k, v) -> m.merge(k, v, (x, y) -> {
      var l = new ArrayList<>(x);
      l.addAll(y);
      return l;
    }));
    return new AttestationRoots(b, m);
  }

  /**
   * Reads a PEM bundle of one or more certificates.
   *
   * @throws IllegalArgumentException with a message for the config error
   */
  public static AttestationRoots fromPem(Path file) {
    var text = read(file);
    var certs = new ArrayList<X509Certificate>();
    var m = PEM.matcher(text);
    while (m.find()) certs.add(certificate(Base64.getMimeDecoder().decode(m.group(1)), file + ": certificate " + (certs.size() + 1)));
    if (certs.isEmpty()) throw new IllegalArgumentException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    return new AttestationRoots(certs, Map.of());
  }

  /**
   * Reads FIDO MDS3 metadata (see the class comment): the BLOB as the Metadata Service publishes
   * it (a JWT), whose signature must verify with a certificate chain ({@code x5c}) to one of
   * {@code blobRoots}, or its payload JSON as is (the operator vouches for it).
   *
   * @param blobRoots {@code webauthn.mds_root}: the roots that may sign a BLOB
   * @throws IllegalArgumentException with a message for the config error
   */
  public static AttestationRoots fromMetadata(Path file, List<X509Certificate> blobRoots) {
    var text = read(file).strip();
    if (text.startsWith("eyJ")) {
      if (blobRoots.isEmpty())
        throw new IllegalArgumentException(file + " is a signed MDS3 BLOB (a JWT); set webauthn.mds_root to the PEM"
            + " root that signs it, or give the decoded payload JSON");
      text = MetadataBlob.verifiedPayload(file, text, blobRoots);
    }
    JsonNode root;
    try {
      root = JsonMapper.builder().build().readTree(text);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(file + " is not JSON (" + e.getOriginalMessage() + ")");
    }
    var statements = new ArrayList<JsonNode>();
    if (root.isObject() && root.has("entries")) {
      for (var entry : root.get("entries")) {
        if (!compromised(entry) && entry.has("metadataStatement")) statements.add(entry.get("metadataStatement"));
      }
    } else if (root.isArray()) {
      root.forEach(statements::add);
    } else if (root.isObject()) {
      statements.add(root);
    }
    var byAaguid = new LinkedHashMap<UUID, List<X509Certificate>>();
    int n = 0;
    for (var s : statements) {
      n++;
      var aaguid = s.get("aaguid");
      if (aaguid == null || !aaguid.isString()) continue; // FIDO U2F / UAF statements name no AAGUID
      UUID id;
      try {
        id = UUID.fromString(aaguid.asString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": statement " + n + ": '" + aaguid.asString() + "' is not an AAGUID");
      }
      var roots = s.get("attestationRootCertificates");
      if (roots == null || !roots.isArray()) continue;
      var list = byAaguid.computeIfAbsent(id, k -> new ArrayList<>());
      for (var r : roots) {
        try {
          list.add(certificate(Base64.getDecoder().decode(r.asString()), file + ": statement " + n));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(e.getMessage().startsWith(file.toString()) ? e.getMessage()
              : file + ": statement " + n + ": an attestationRootCertificates entry is not base64 DER");
        }
      }
    }
    byAaguid.values().removeIf(List::isEmpty);
    if (byAaguid.isEmpty())
      throw new IllegalArgumentException(file + " names no authenticator model (aaguid) with attestationRootCertificates");
    return new AttestationRoots(List.of(), byAaguid);
  }

  /** The newest status report (by effectiveDate, ISO dates compare as strings) says compromised. */
  private static boolean compromised(JsonNode entry) {
    var reports = entry.get("statusReports");
    if (reports == null || !reports.isArray()) return false;
    JsonNode newest = null;
    for (var r : reports) {
      var date = r.has("effectiveDate") ? r.get("effectiveDate").asString() : "";
      if (newest == null || date.compareTo(newest.has("effectiveDate") ? newest.get("effectiveDate").asString() : "") >= 0)
        newest = r;
    }
    return newest != null && newest.has("status") && COMPROMISED.contains(newest.get("status").asString());
  }

  private static String read(Path file) {
    try {
      if (Files.size(file) > MAX_FILE_SIZE) throw new IllegalArgumentException(file + " is larger than 32 MiB");
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read file " + file);
    }
  }

  private static X509Certificate certificate(byte[] der, String where) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | ClassCastException e) {
      throw new IllegalArgumentException(where + " is not an X.509 certificate");
    }
  }
}
