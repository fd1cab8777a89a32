package dev.ocomms.uploads.inspect;

/** An image's size in pixels as it is shown, that is after its EXIF orientation is applied. */
public record Dimensions(int width, int height) {
}
