package dev.ocomms.shared.errors;

/**
 * Stable reason codes under the catalogue's categories, for the cases a client must tell apart (an expired invite
 * from an unknown one, an archived chat from a missing right). A failure with a reason carries it as {@code reason}
 * beside {@code code}, on REST and on the bridge alike. Every reason is listed in docs/protocol.md.
 */
public enum Reason {
  INVITE_EXPIRED("invite_expired", ErrorCode.NOT_FOUND),
  INVITE_USED_UP("invite_used_up", ErrorCode.NOT_FOUND),
  CHAT_ARCHIVED("chat_archived", ErrorCode.FORBIDDEN),
  // The workspace's default channel (#general, generalChatId): every member stays in it.
  DEFAULT_CHANNEL("default_channel", ErrorCode.FORBIDDEN),
  NAME_TAKEN("name_taken", ErrorCode.CONFLICT),
  CONTENT_TOO_LONG("content_too_long", ErrorCode.VALIDATION_FAILED),
  TOO_MANY_EMOJI("too_many_emoji", ErrorCode.CONFLICT),
  TOO_MANY_REACTIONS("too_many_reactions", ErrorCode.CONFLICT),
  /** A chat already has its 100 pins; a user already has 1,000 saved items. */
  TOO_MANY_PINS("too_many_pins", ErrorCode.CONFLICT),
  TOO_MANY_SAVED_ITEMS("too_many_saved_items", ErrorCode.CONFLICT),
  SLOW_CONSUMER("slow_consumer", ErrorCode.RATE_LIMITED),
  TOO_MANY_FRAMES("too_many_frames", ErrorCode.RATE_LIMITED),
  /** A bot asked for what only people do: log in, create a workspace, invite or join one. */
  BOT_NOT_ALLOWED("bot_not_allowed", ErrorCode.FORBIDDEN),
  /** A post to a webhook's URL that is not Slack's payload (docs/protocol.md, "Incoming webhooks"). */
  INVALID_PAYLOAD("invalid_payload", ErrorCode.VALIDATION_FAILED),
  /** A slash command's or outgoing webhook's URL that may not be called (docs/protocol.md, "Outbound calls"). */
  URL_NOT_ALLOWED("url_not_allowed", ErrorCode.VALIDATION_FAILED),
  /** A slash command's response_url past its 30 minutes, or used its 5 times (docs/protocol.md, "Slash commands"). */
  RESPONSE_URL_EXPIRED("response_url_expired", ErrorCode.NOT_FOUND),
  RESPONSE_URL_USED_UP("response_url_used_up", ErrorCode.NOT_FOUND),
  /** A custom slash command's name that its workspace already has, or a built-in's. */
  COMMAND_TAKEN("command_taken", ErrorCode.CONFLICT),
  SEARCH_UNAVAILABLE("search_unavailable", ErrorCode.UNAVAILABLE),
  // Uploads: what a file is, judged from its bytes (docs/protocol.md, "Reasons").
  FILE_TYPE_NOT_ALLOWED("file_type_not_allowed", ErrorCode.UNSUPPORTED_MEDIA_TYPE),
  FILE_TYPE_MISMATCH("file_type_mismatch", ErrorCode.UNSUPPORTED_MEDIA_TYPE),
  IMAGE_UNREADABLE("image_unreadable", ErrorCode.UNSUPPORTED_MEDIA_TYPE),
  IMAGE_TOO_LARGE("image_too_large", ErrorCode.PAYLOAD_TOO_LARGE),
  UPLOAD_TOO_LARGE("upload_too_large", ErrorCode.PAYLOAD_TOO_LARGE),
  QUOTA_EXCEEDED("quota_exceeded", ErrorCode.PAYLOAD_TOO_LARGE);

  private final String wireName;
  private final ErrorCode category;

  Reason(String wireName, ErrorCode category) {
    this.wireName = wireName;
    this.category = category;
  }

  public String wireName() {
    return wireName;
  }

  /** The catalogue's code (and so the HTTP status) a failure with this reason carries. */
  public ErrorCode category() {
    return category;
  }
}
