package dev.ocomms.messaging;

import java.util.UUID;

/**
 * One user's standing towards one chat: whether they are in it, their role in its workspace ({@code null} when they
 * are not in the workspace), and whether the chat is its workspace's default channel ({@code general}: every member
 * is in it, nobody leaves it or is removed from it). The visibility and moderation rules of every chat action live
 * here.
 */
record ChatAccess(Chat chat, UUID userId, boolean member, String workspaceRole, boolean general) {

  /**
   * Members see a chat; so does anyone in the workspace for a public channel. Everything else answers
   * {@code not_found}, so that private chats and other workspaces' chats are not revealed.
   */
  boolean visible() {
    return member || (!chat.isDm() && !chat.isPrivate() && workspaceRole != null);
  }

  /** May rename, archive and remove members: the channel's creator and the workspace's owners and admins. */
  boolean moderator() {
    return chat.createdBy().equals(userId) || "owner".equals(workspaceRole) || "admin".equals(workspaceRole);
  }
}
