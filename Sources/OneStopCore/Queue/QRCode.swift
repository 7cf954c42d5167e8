import Foundation

/// A QR Code (ISO/IEC 18004) in byte mode at error-correction level M, for the link printed on a
/// ticket. Versions 1–40; the smallest that holds the text is used, and the mask with the lowest
/// penalty, as the standard asks. Follows the structure of Project Nayuki's reference encoder.
public struct QRCode: Sendable, Equatable {
    public let version: Int
    public let size: Int
    public private(set) var mask: Int
    /// Row-major, true for dark.
    public private(set) var modules: [Bool]
    private var isFunction: [Bool]

    public func isDark(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < size && y < size && modules[y * size + x] }

    /// Nil when the text is longer than a version 40 symbol holds (2,331 bytes at level M).
    public static func encode(_ text: String, mask forced: Int? = nil) -> QRCode? {
        let bytes = Array(text.utf8)
        var version = 1
        while true {
            let capacity = dataCodewords(version) * 8
            let used = 4 + countBits(version) + 8 * bytes.count
            if used <= capacity { break }
            version += 1
            if version > 40 { return nil }
        }
        var bits: [Bool] = []
        func append(_ value: Int, _ n: Int) { for i in stride(from: n - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) } }
        append(0b0100, 4)
        append(bytes.count, countBits(version))
        for b in bytes { append(Int(b), 8) }
        let capacity = dataCodewords(version) * 8
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var pad = 0xEC
        while bits.count < capacity {
            append(pad, 8)
            pad ^= 0xEC ^ 0x11
        }
        var data: [UInt8] = []
        for i in stride(from: 0, to: bits.count, by: 8) {
            var v: UInt8 = 0
            for j in 0..<8 where bits[i + j] { v |= 1 << (7 - j) }
            data.append(v)
        }
        return QRCode(version: version, data: data, forcedMask: forced)
    }

    private init(version: Int, data: [UInt8], forcedMask: Int?) {
        self.version = version
        size = version * 4 + 17
        modules = Array(repeating: false, count: size * size)
        isFunction = modules
        mask = 0
        drawFunctionPatterns()
        drawCodewords(addECCAndInterleave(data))
        var best = forcedMask ?? 0
        if forcedMask == nil {
            // Each mask is scored on a masked copy: the format bits are function modules, which
            // no mask touches, so they are drawn in place first.
            var lowest = Int.max
            var trial = modules
            for m in 0..<8 {
                drawFormatBits(m)
                Self.masked(modules, isFunction, size: size, mask: m, into: &trial)
                let p = Self.penalty(trial, size: size)
                if p < lowest {
                    lowest = p
                    best = m
                }
            }
        }
        applyMask(best)
        drawFormatBits(best)
        mask = best
    }

    // MARK: Capacity (level M)

    static let eccPerBlock = [
        10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    ]
    static let blocks = [
        1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37,
        38, 40, 43, 45, 47, 49,
    ]

    static func countBits(_ version: Int) -> Int { version <= 9 ? 8 : 16 }

    static func rawDataModules(_ v: Int) -> Int {
        var r = (16 * v + 128) * v + 64
        if v >= 2 {
            let n = v / 7 + 2
            r -= (25 * n - 10) * n - 55
            if v >= 7 { r -= 36 }
        }
        return r
    }

    static func dataCodewords(_ v: Int) -> Int { rawDataModules(v) / 8 - eccPerBlock[v - 1] * blocks[v - 1] }

    // MARK: Function patterns

    private mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    private mutating func drawFunctionPatterns() {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx
                    let y = cy + dy
                    guard x >= 0, x < size, y >= 0, y < size else { continue }
                    let d = max(abs(dx), abs(dy))
                    set(x, y, d != 2 && d != 4)
                }
            }
        }
        let positions = alignmentPositions()
        let n = positions.count
        for i in 0..<n {
            for j in 0..<n where !((i == 0 && j == 0) || (i == 0 && j == n - 1) || (i == n - 1 && j == 0)) {
                for dy in -2...2 {
                    for dx in -2...2 { set(positions[i] + dx, positions[j] + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormatBits(0)
        drawVersion()
    }

    private func alignmentPositions() -> [Int] {
        guard version > 1 else { return [] }
        let n = version / 7 + 2
        let step = version == 32 ? 26 : (version * 4 + n * 2 + 1) / (n * 2 - 2) * 2
        var out = [6]
        var pos = size - 7
        var rest: [Int] = []
        for _ in 0..<(n - 1) {
            rest.insert(pos, at: 0)
            pos -= step
        }
        out += rest
        return out
    }

    private mutating func drawFormatBits(_ mask: Int) {
        // Level M is 00.
        let data = mask
        var rem = data
        for _ in 0..<10 { rem = (rem << 1) ^ ((rem >> 9) * 0x537) }
        let bits = ((data << 10) | rem) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    private mutating func drawVersion() {
        guard version >= 7 else { return }
        var rem = version
        for _ in 0..<12 { rem = (rem << 1) ^ ((rem >> 11) * 0x1F25) }
        let bits = (version << 12) | rem
        for i in 0..<18 {
            let dark = (bits >> i) & 1 == 1
            let a = size - 11 + i % 3
            let b = i / 3
            set(a, b, dark)
            set(b, a, dark)
        }
    }

    // MARK: Error correction

    private func addECCAndInterleave(_ data: [UInt8]) -> [UInt8] {
        let numBlocks = Self.blocks[version - 1]
        let eccLen = Self.eccPerBlock[version - 1]
        let raw = Self.rawDataModules(version) / 8
        let numShort = numBlocks - raw % numBlocks
        let shortLen = raw / numBlocks
        let divisor = Self.rsDivisor(eccLen)
        var blocks: [[UInt8]] = []
        var k = 0
        for i in 0..<numBlocks {
            let n = shortLen - eccLen + (i < numShort ? 0 : 1)
            var block = Array(data[k..<k + n])
            k += n
            let ecc = Self.rsRemainder(block, divisor)
            if i < numShort { block.append(0) }
            blocks.append(block + ecc)
        }
        var out: [UInt8] = []
        for i in 0..<blocks[0].count {
            for j in 0..<blocks.count where i != shortLen - eccLen || j >= numShort { out.append(blocks[j][i]) }
        }
        return out
    }

    static func gfMultiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> i) & 1) * Int(x)
        }
        return UInt8(z)
    }

    static func rsDivisor(_ degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree - 1) + [1]
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<result.count {
                result[j] = gfMultiply(result[j], root)
                if j + 1 < result.count { result[j] ^= result[j + 1] }
            }
            root = gfMultiply(root, 0x02)
        }
        return result
    }

    static func rsRemainder(_ data: [UInt8], _ divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for b in data {
            let factor = b ^ result.removeFirst()
            result.append(0)
            for i in 0..<result.count { result[i] ^= gfMultiply(divisor[i], factor) }
        }
        return result
    }

    // MARK: Data and masks

    private mutating func drawCodewords(_ data: [UInt8]) {
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vert in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vert : vert
                    if !isFunction[y * size + x] && i < data.count * 8 {
                        modules[y * size + x] = (data[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    private mutating func applyMask(_ m: Int) {
        var out = modules
        Self.masked(modules, isFunction, size: size, mask: m, into: &out)
        modules = out
    }

    /// `modules` with mask `m` applied to every module that is not a function module.
    static func masked(_ modules: [Bool], _ isFunction: [Bool], size: Int, mask m: Int, into out: inout [Bool]) {
        modules.withUnsafeBufferPointer { src in
            isFunction.withUnsafeBufferPointer { fn in
                out.withUnsafeMutableBufferPointer { dst in
                    @inline(__always) func fill(_ invert: (Int, Int) -> Bool) {
                        for y in 0..<size {
                            for x in 0..<size {
                                let i = y * size + x
                                dst[i] = src[i] != (!fn[i] && invert(x, y))
                            }
                        }
                    }
                    switch m {
                    case 0: fill { x, y in (x + y) % 2 == 0 }
                    case 1: fill { _, y in y % 2 == 0 }
                    case 2: fill { x, _ in x % 3 == 0 }
                    case 3: fill { x, y in (x + y) % 3 == 0 }
                    case 4: fill { x, y in (x / 3 + y / 2) % 2 == 0 }
                    case 5: fill { x, y in x * y % 2 + x * y % 3 == 0 }
                    case 6: fill { x, y in (x * y % 2 + x * y % 3) % 2 == 0 }
                    default: fill { x, y in ((x + y) % 2 + x * y % 3) % 2 == 0 }
                    }
                }
            }
        }
    }

    /// An SVG drawing with a quiet zone of `border` modules, dark runs as one path.
    public func svg(border: Int = 4, title: String? = nil) -> String {
        let dim = size + border * 2
        // Written as bytes: a notice carries one, and string interpolation per run was most of it.
        var path: [UInt8] = []
        path.reserveCapacity(size * size)
        func number(_ v: Int) {
            if v >= 10 { number(v / 10) }
            path.append(UInt8(ascii: "0") + UInt8(v % 10))
        }
        for y in 0..<size {
            var x = 0
            while x < size {
                guard modules[y * size + x] else {
                    x += 1
                    continue
                }
                var run = 1
                while x + run < size && modules[y * size + x + run] { run += 1 }
                path.append(UInt8(ascii: "M"))
                number(x + border)
                path.append(UInt8(ascii: " "))
                number(y + border)
                path.append(UInt8(ascii: "h"))
                number(run)
                path.append(contentsOf: "v1h-".utf8)
                number(run)
                path.append(UInt8(ascii: "z"))
                x += run
            }
        }
        let label = title.map { "<title>\(Self.escapeXML($0))</title>" } ?? ""
        return
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(dim) \(dim)\" shape-rendering=\"crispEdges\" role=\"img\">\(label)"
            + "<rect width=\"\(dim)\" height=\"\(dim)\" fill=\"#fff\"/><path d=\"\(String(decoding: path, as: UTF8.self))\" fill=\"#000\"/></svg>"
    }

    /// Text made safe inside SVG/XML markup and attributes.
    public static func escapeXML(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
