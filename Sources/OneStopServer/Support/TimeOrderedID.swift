import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest
    /// random (74 bits of it). Rows created one after another get ids in the same order, so the
    /// primary-key index of a table that grows by inserts is appended to at its end instead of at
    /// a random page — on SQLite, where ids are stored as text, as on PostgreSQL. The random part
    /// keeps ids unguessable.
    static func timeOrdered(at now: Date = Date()) -> UUID {
        let ms = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var g = SystemRandomNumberGenerator()
        let r1 = g.next() as UInt64
        let r2 = g.next() as UInt64
        return UUID(
            uuid: (
                UInt8(truncatingIfNeeded: ms >> 40), UInt8(truncatingIfNeeded: ms >> 32), UInt8(truncatingIfNeeded: ms >> 24),
                UInt8(truncatingIfNeeded: ms >> 16), UInt8(truncatingIfNeeded: ms >> 8), UInt8(truncatingIfNeeded: ms),
                0x70 | UInt8(truncatingIfNeeded: r1 & 0x0F), UInt8(truncatingIfNeeded: r1 >> 8),
                0x80 | UInt8(truncatingIfNeeded: (r1 >> 16) & 0x3F), UInt8(truncatingIfNeeded: r1 >> 24),
                UInt8(truncatingIfNeeded: r1 >> 32), UInt8(truncatingIfNeeded: r1 >> 40), UInt8(truncatingIfNeeded: r1 >> 48),
                UInt8(truncatingIfNeeded: r1 >> 56), UInt8(truncatingIfNeeded: r2), UInt8(truncatingIfNeeded: r2 >> 8)
            ))
    }
}
