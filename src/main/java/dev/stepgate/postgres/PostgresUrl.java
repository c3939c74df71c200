package dev.stepgate.postgres;

import dev.stepgate.credential.CredentialException;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code storage.url} read as the Postgres client reads it ({@code PgConnectOptions.fromUri}), with
 * libpq's TLS meaning of {@code sslmode}, which the client leaves to its caller: {@code disable}
 * (plain), {@code allow}/{@code prefer} (TLS if offered), {@code require} (TLS, the certificate not
 * checked, as libpq), {@code verify-ca} (TLS, the certificate issued by a trusted CA), {@code
 * verify-full} (and issued for the host). The trusted CAs are the JDK's, or the PEM file of
 * libpq's {@code sslrootcert=PATH} parameter, with which {@code require} checks the certificate as
 * {@code verify-ca} does (as libpq). Errors never repeat the URL: it may hold a password.
 */
final class PostgresUrl {
  private PostgresUrl() {}

  static PgConnectOptions parse(String url) {
    if (url == null || !(url.startsWith("postgresql://") || url.startsWith("postgres://")))
      throw invalid("storage.url must be a postgresql:// URL");
    Optional<String> rootCert = Optional.empty();
    var clientUrl = url;
    int q = url.indexOf('?');
    if (q >= 0) {
      var kept = new ArrayList<String>();
      for (var param : url.substring(q + 1).split("&")) {
        if (param.startsWith("sslrootcert=")) rootCert = Optional.of(URLDecoder.decode(param.substring(12), StandardCharsets.UTF_8));
        else if (!param.isEmpty()) kept.add(param);
      }
      clientUrl = url.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }
    PgConnectOptions options;
    try {
      options = PgConnectOptions.fromUri(clientUrl);
    } catch (RuntimeException e) {
      throw invalid("storage.url is not a valid postgresql:// URL");
    }
    var mode = options.getSslMode();
    switch (mode) {
      case DISABLE -> {
        return options;
      }
      case ALLOW, PREFER, REQUIRE -> options.setSslOptions(rootCert.isPresent()
          ? new ClientSSLOptions().setTrustOptions(new PemTrustOptions().addCertPath(rootCert.get()))
          : new ClientSSLOptions().setTrustAll(true));
      case VERIFY_CA, VERIFY_FULL -> options.setSslOptions(new ClientSSLOptions()
          .setTrustOptions(rootCert.<TrustOptions>map(p -> new PemTrustOptions().addCertPath(p)).orElseGet(PostgresUrl::jdkTrust))
          .setHostnameVerificationAlgorithm(mode == io.vertx.pgclient.SslMode.VERIFY_FULL ? "HTTPS" : ""));
    }
    return options;
  }

  private static TrustOptions jdkTrust() {
    try {
      var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      return TrustOptions.wrap(tmf);
    } catch (GeneralSecurityException e) {
      throw new CredentialException("storage-unavailable", 503, "The JDK's trusted certificates cannot be read.", e);
    }
  }

  private static CredentialException invalid(String message) {
    return new CredentialException("invalid-config", 400, message);
  }
}
