package dev.stepgate.ui;

import dev.stepgate.observe.Browser;
import dev.stepgate.observe.Platform;
import dev.stepgate.session.Session;

/** What a session records of the browser that signed in: names from fixed sets, never the header itself. */
final class Devices {
  private Devices() {}

  static Session.Device fromUserAgent(String userAgent) {
    return new Session.Device(Platform.fromUserAgent(userAgent).displayName(), Browser.fromUserAgent(userAgent).displayName());
  }
}
