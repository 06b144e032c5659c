package org.saam.common.catalogue;

/** The catalogue file is unreadable or inconsistent; the message names the entry and the fix. */
public final class CatalogueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CatalogueException(String message) {
    super(message);
  }

  public CatalogueException(String message, Throwable cause) {
    super(message, cause);
  }
}
