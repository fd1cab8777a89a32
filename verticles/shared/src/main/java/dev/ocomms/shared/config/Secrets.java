package dev.ocomms.shared.config;

import java.net.URI;
import java.net.URISyntaxException;

/** Masks credentials so that a value can be logged. */
public final class Secrets {
  private Secrets() {
  }

  /** A URL keeps its scheme, host, port and path; its user info and query are masked. Anything else is masked whole. */
  public static String mask(String value) {
    if (value == null) {
      return null;
    }
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null || uri.getHost() == null) {
        return "****";
      }
      String userInfo = uri.getUserInfo() == null ? "" : "****@";
      String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      String query = uri.getRawQuery() == null ? "" : "?****";
      return uri.getScheme() + "://" + userInfo + uri.getHost() + port + path + query;
    } catch (URISyntaxException e) {
      return "****";
    }
  }
}
