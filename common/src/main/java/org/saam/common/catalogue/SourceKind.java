package org.saam.common.catalogue;

/** Where the values of a source come from. */
public enum SourceKind {
  /** Sent by a home gateway. */
  MEASUREMENT,
  /** Computed by the platform from measurements. */
  FEATURE
}
