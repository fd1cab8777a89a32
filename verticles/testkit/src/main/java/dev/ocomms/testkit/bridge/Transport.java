package dev.ocomms.testkit.bridge;

/** The ways a browser reaches the bridge at {@code /eventbus}. */
public enum Transport {
  /** {@code ws://host/eventbus/websocket}: one JSON frame per text message, no SockJS framing. */
  RAW_WEBSOCKET,
  /** SockJS over a WebSocket: {@code /eventbus/<server>/<session>/websocket}. */
  SOCKJS_WEBSOCKET,
  /** SockJS xhr-streaming: one long chunked POST to receive, {@code xhr_send} POSTs to send. */
  XHR_STREAMING,
  /** SockJS xhr-polling: one POST per received batch, {@code xhr_send} POSTs to send. */
  XHR_POLLING
}
