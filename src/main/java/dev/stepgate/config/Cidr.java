package dev.stepgate.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 network in CIDR form, e.g. {@code 10.0.0.0/8} or {@code ::1/128}. */
public record Cidr(byte[] network, int prefix) {
  /** What a textual address may contain (so InetAddress never looks a name up); compiled once: it is checked per request. */
  private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("[0-9A-Fa-f:.%a-z]+");


  public Cidr {
    network = network.clone();
    if (prefix < 0 || prefix > network.length * 8)
      throw new IllegalArgumentException("prefix out of range");
  }

  @Override
  public byte[] network() {
    return network.clone();
  }

  /** Parses {@code a.b.c.d/n}, {@code ::1/128}, or a bare address (a single host). */
  public static Cidr parse(String text) {
    var slash = text.indexOf('/');
    var addr = slash < 0 ? text : text.substring(0, slash);
    if (!addr.matches("[0-9A-Fa-f:.]+")) throw new IllegalArgumentException("not an IP address: " + addr);
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(addr).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + addr);
    }
    int prefix;
    try {
      prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad prefix length in " + text);
    }
    if (prefix < 0 || prefix > bytes.length * 8)
      throw new IllegalArgumentException("prefix length out of range in " + text);
    return new Cidr(bytes, prefix);
  }

  /** True when {@code address} (textual IP) lies in this network. */
  public boolean contains(String address) {
    byte[] a;
    try {
      if (!ADDRESS.matcher(address).matches()) return false;
      a = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      return false;
    }
    if (a.length != network.length) return false;
    int full = prefix / 8;
    for (int i = 0; i < full; i++) if (a[i] != network[i]) return false;
    int rest = prefix % 8;
    if (rest == 0) return true;
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (a[full] & mask) == (network[full] & mask);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      return "?/" + prefix;
    }
  }
}
