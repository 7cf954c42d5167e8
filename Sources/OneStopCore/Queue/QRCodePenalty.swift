import Foundation

/// The mask penalty of ISO/IEC 18004 §7.8.3, by which the encoder picks one of eight masks.
extension QRCode {
    /// The four penalty rules of the standard: runs of five or more, 2×2 blocks, finder-like
    /// patterns, and the balance of dark and light.
    public func penalty() -> Int { Self.penalty(modules, size: size) }

    static func penalty(_ modules: [Bool], size: Int) -> Int {
        size <= 64 ? bitPenalty(modules, size: size) : scanPenalty(modules, size: size)
    }

    /// The same rules on rows and columns held as 64-bit words (versions 1–11, every tracking
    /// link): runs are measured by counting trailing bits, finder-like patterns and 2×2 blocks by
    /// masks, so a line costs a few dozen operations instead of a pass per module.
    static func bitPenalty(_ modules: [Bool], size n: Int) -> Int {
        var rows = [UInt64](repeating: 0, count: n)
        var cols = [UInt64](repeating: 0, count: n)
        modules.withUnsafeBufferPointer { m in
            for y in 0..<n {
                for x in 0..<n where m[y * n + x] {
                    rows[y] |= 1 << UInt64(x)
                    cols[x] |= 1 << UInt64(y)
                }
            }
        }
        var p = 0
        var dark = 0
        for line in rows {
            p += linePenalty(bits: line, count: n)
            dark += line.nonzeroBitCount
        }
        for line in cols { p += linePenalty(bits: line, count: n) }
        let inner: UInt64 = (1 << UInt64(n - 1)) - 1
        for y in 0..<(n - 1) {
            let a = rows[y]
            let b = rows[y + 1]
            // A 2×2 block of one colour at x: a[x] = a[x+1], b[x] = b[x+1], a[x] = b[x].
            let same = ~(a ^ b) & ~(a ^ (a >> 1)) & ~(b ^ (b >> 1)) & inner
            p += 3 * same.nonzeroBitCount
        }
        let total = n * n
        let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        return p + max(0, k) * 10
    }

    /// Runs of five or more and finder-like patterns in one line of `count` modules, bit k being
    /// module k (bits above `count` are light, as outside the symbol).
    static func linePenalty(bits line: UInt64, count n: Int) -> Int {
        var p = 0
        var x = 0
        while x < n {
            let rest = line >> UInt64(x)
            let run = min(n - x, rest & 1 == 1 ? (~rest).trailingZeroBitCount : rest.trailingZeroBitCount)
            if run >= 5 { p += 3 + run - 5 }
            x += run
        }
        guard n >= 7 else { return p }
        for i in 0...(n - 7) where (line >> UInt64(i)) & 0x7F == 0x5D {
            let before = i >= 4 ? (line >> UInt64(i - 4)) & 0xF == 0 : line & ((1 << UInt64(i)) - 1) == 0
            let after = (line >> UInt64(i + 7)) & 0xF == 0
            if before || after { p += 40 }
        }
        return p
    }

    static func scanPenalty(_ modules: [Bool], size: Int) -> Int {
        var p = 0
        // Rows and columns are copied into one buffer and scanned by index: notices render a QR
        // code each, and the mask choice scores eight of them.
        var line = [Bool](repeating: false, count: size)
        modules.withUnsafeBufferPointer { m in
            line.withUnsafeMutableBufferPointer { l in
                for y in 0..<size {
                    for x in 0..<size { l[x] = m[y * size + x] }
                    p += linePenalty(UnsafeBufferPointer(l))
                }
                for x in 0..<size {
                    for y in 0..<size { l[y] = m[y * size + x] }
                    p += linePenalty(UnsafeBufferPointer(l))
                }
            }
            var dark = 0
            for y in 0..<(size - 1) {
                for x in 0..<(size - 1) {
                    let c = m[y * size + x]
                    if c { dark += 1 }
                    if c == m[y * size + x + 1] && c == m[(y + 1) * size + x] && c == m[(y + 1) * size + x + 1] { p += 3 }
                }
                if m[y * size + size - 1] { dark += 1 }
            }
            for x in 0..<size where m[(size - 1) * size + x] { dark += 1 }
            let total = size * size
            let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
            p += max(0, k) * 10
        }
        return p
    }

    /// Runs of five or more of a colour, and the finder-like pattern 1:1:3:1:1 with four light
    /// modules on either side (outside counts as light).
    static func linePenalty(_ line: [Bool]) -> Int { line.withUnsafeBufferPointer { linePenalty($0) } }

    static func linePenalty(_ b: UnsafeBufferPointer<Bool>) -> Int {
        var p = 0
        do {
            let n = b.count
            var run = 1
            for i in 1...n {
                if i < n, b[i] == b[i - 1] {
                    run += 1
                } else {
                    if run >= 5 { p += 3 + run - 5 }
                    run = 1
                }
            }
            guard n >= 7 else { return p }
            for i in 0...(n - 7) where b[i] && !b[i + 1] && b[i + 2] && b[i + 3] && b[i + 4] && !b[i + 5] && b[i + 6] {
                var before = true
                for k in 1...4 where i - k >= 0 && b[i - k] {
                    before = false
                    break
                }
                var after = true
                for k in 1...4 where i + 6 + k < n && b[i + 6 + k] {
                    after = false
                    break
                }
                if before || after { p += 40 }
            }
        }
        return p
    }
}
