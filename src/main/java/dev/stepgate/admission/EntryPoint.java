package dev.stepgate.admission;

/** Which way a request reached the pipeline; every one is admitted by the same steps. */
public enum EntryPoint {
  /** The relay's own Netty lane (decides at once, else hands over to Vert.x's path). */
  RELAY,
  /** Vert.x's request path (GatewayHandler). */
  PROXY,
  /** {@code /.stepgate/auth}, asked by the operator's own proxy. */
  FORWARD_AUTH,
  /** {@code /.stepgate/resume/ID}: a held POST replayed after its step-up. */
  HELD_REPLAY
}
