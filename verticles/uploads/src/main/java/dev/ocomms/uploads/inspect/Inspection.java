package dev.ocomms.uploads.inspect;

/**
 * What an uploaded file turned out to be.
 *
 * @param mediaType the MIME type detected from its bytes (the {@code Content-Type} it is served with)
 * @param name the original name, sanitized: metadata to show, never a path
 * @param inline whether it may be shown inline ({@link ServingPolicy#isInline}); else it is only an attachment
 * @param dimensions the size of an inline image as shown; {@code null} for anything else
 */
public record Inspection(String mediaType, String name, boolean inline, Dimensions dimensions) {
}
