/**
 * The UTF-8 bytes of `text`, one character per byte (U+0000..U+00FF). flagd-core's MurmurHash3 reads a string
 * one UTF-16 code unit at a time, which equals hashing its bytes only while every unit is below 0x100; the flagd
 * daemon (Go) hashes a string's UTF-8 bytes. Hashing this byte string in flagd-core gives the daemon's hash.
 * ASCII text is returned as it is: its UTF-8 bytes are its code units.
 */
export function toUtf8ByteString(text: string): string {
  // Every character past U+007F takes more UTF-8 bytes than UTF-16 code units.
  if (Buffer.byteLength(text, 'utf8') === text.length) return text
  return Buffer.from(text, 'utf8').toString('latin1')
}
