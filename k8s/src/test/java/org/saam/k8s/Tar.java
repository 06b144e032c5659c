package org.saam.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** Reads a tar stream (ustar names with prefixes, PAX path records): enough for image layers. */
final class Tar {
  private Tar() {}

  /** Regular files whose names {@code wanted} accepts, by name without a leading {@code ./}. */
  static Map<String, byte[]> read(InputStream in, Predicate<String> wanted) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    byte[] header = new byte[512];
    String paxPath = null;
    while (readFully(in, header)) {
      if (isZero(header)) {
        break;
      }
      String name = text(header, 0, 100);
      String prefix = text(header, 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
      long size =
          Long.parseLong(
              text(header, 124, 12).trim().isEmpty() ? "0" : text(header, 124, 12).trim(), 8);
      char type = (char) header[156];
      byte[] body = null;
      boolean keep =
          type == 'x'
              || ((type == '0' || type == 0)
                  && wanted.test(strip(paxPath != null ? paxPath : name)));
      if (keep) {
        body = in.readNBytes((int) size);
      } else {
        in.skipNBytes(size);
      }
      long padding = (512 - size % 512) % 512;
      in.skipNBytes(padding);
      if (type == 'x') {
        paxPath = paxPath(body);
        continue;
      }
      if (body != null) {
        files.put(strip(paxPath != null ? paxPath : name), body);
      }
      paxPath = null;
    }
    return files;
  }

  private static String paxPath(byte[] records) {
    String text = new String(records, StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      int space = line.indexOf(' ');
      if (space > 0 && line.startsWith("path=", space + 1)) {
        return line.substring(space + 1 + "path=".length());
      }
    }
    return null;
  }

  private static String strip(String name) {
    return name.startsWith("./") ? name.substring(2) : name;
  }

  private static String text(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean readFully(InputStream in, byte[] block) throws IOException {
    int read = in.readNBytes(block, 0, block.length);
    return read == block.length;
  }
}
