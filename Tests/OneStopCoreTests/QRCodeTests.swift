import Testing

@testable import OneStopCore

/// Reference matrices made by two independent encoders (python-qrcode with a fixed mask; the
/// same symbols from Project Nayuki's qrcodegen), as hex rows.
@Suite("QR code")
struct QRCodeTests {
    static let fixtures: [(version: Int, mask: Int, text: String, rows: String)] = [
        (
            3, 3, "http://127.0.0.1:8080/t/abc",
            "1fd3337f|105e6c41|174be15d|175e1e5d|174c835d|104b4e41|1fd5557f|0014cd00|16e5df4b|171036d1|16f469e6|1"
                + "1b7e609|12cd1bac|01898be3|05da4a5f|039aa4a2|07520432|0a9e8006|16e20c6c|04343d44|086ea1fc|0011ef1f|1f"
                + "d1975a|10501b1a|174861ff|175bd816|17507381|10419382|1fda39aa"
        ),
        (
            7, 5,
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "1fc7d187797f|1050003d9241|175d75153a5d|17545e877b5d|17417bfac75d|1043291d9841|1fd55555557f|001521173"
                + "400|1050a9f06ace|071f842ddfd2|086000bf95f6|1e862497347c|15f9672ddcd2|050ed968cb83|1569e3bf95f6|07aa4"
                + "7d2202d|1b6bdc406a09|18aec968cb83|03ffd8d2232d|1c9e6697347c|0ff9fdf06bf9|111a091ddf12|0b56855f9756|0"
                + "91cff17351c|13fcedfddff2|042b9fc8c923|0b7580ef96a6|0c14a572228d|1edc13106959|06139bc8c923|0cd2d78220"
                + "7d|1511643736dc|0bdc07106959|0b03fa8ddd72|01647cef96a6|0f11943736dc|134a1dfddff2|00140b18c913|1fc267"
                + "5f9556|10466312211d|174649f06bf9|174a0498ca73|1747ba2221dd|10473367358c|1fd54ab068fa"
        ),
        (
            9, 7, "中文二维码 中文二维码 中文二维码 中文二维码 中文二维码 中文二维码 中文二维码 中文二维码 中文二维码 中文二维码 ",
            "1fc06d699b147f|10408576e93e41|17408c4ccf025d|174bc1fbb9955d|174f8bffa48c5d|105e573167d441|1fd5555555"
                + "557f|0002f3b12a7700|12da933f8a0ea0|02b69080cef7f1|146379d1fda239|038b5f9beb594a|04e6b2832c8847|1dbfd"
                + "aba6dff3c|145469d2f17810|0d1c5d7e7b3236|11c614407a16ea|11abb8e7db94c7|17ff5b421fb91a|099c8757372277|"
                + "0e5b2473128847|1b055c24de9fee|13ebc77c28a6fd|1a09fa808eea0b|0ffdcf3f41c9f0|091af6b1c82d15|01529cf527"
                + "4150|0115737123411f|19f92eff005bfa|0d8e1cea673557|0f7159e6633b8a|15a9540a9fabbf|0b5d4101542fd5|050b2"
                + "640a6ef73|07d59c3de605c3|1627e59db4b5ea|077f8e1380a4f9|0687a0d0c37c30|06f32a8405f920|141c4ffa91b04d|"
                + "0b77c1fa64f80d|0b93faaa4ced81|1bd7e04e77723c|0c3d676ed20eef|02733c7ff403f7|001099f1d76f17|1fcb041516"
                + "ab57|1053f431917510|17434e7f9a29f2|175f717c6a5f9a|1743acc481a160|104e601252fade|1fde65c3208d42"
        ),
    ]

    static func bits(_ hexRow: Substring, size: Int) -> [Bool] {
        var bits: [Bool] = []
        for ch in hexRow {
            let v = Int(String(ch), radix: 16)!
            for i in stride(from: 3, through: 0, by: -1) { bits.append((v >> i) & 1 == 1) }
        }
        return Array(bits.suffix(size))
    }

    @Test("byte mode, level M: the same modules as the reference encoders", arguments: 0..<3)
    func matchesReference(_ i: Int) throws {
        let f = Self.fixtures[i]
        let q = try #require(QRCode.encode(f.text, mask: f.mask))
        #expect(q.version == f.version)
        #expect(q.size == f.version * 4 + 17)
        let rows = f.rows.split(separator: "|")
        #expect(rows.count == q.size)
        for (y, row) in rows.enumerated() {
            #expect((0..<q.size).map { q.isDark(x: $0, y: y) } == Self.bits(row, size: q.size), "row \(y)")
        }
    }

    @Test("the smallest version that holds the text; a mask chosen by penalty; SVG")
    func sizesAndSVG() throws {
        #expect(QRCode.encode("A")?.version == 1)
        #expect(QRCode.encode(String(repeating: "a", count: 14))?.version == 1)
        #expect(QRCode.encode(String(repeating: "a", count: 15))?.version == 2)
        #expect(QRCode.encode(String(repeating: "a", count: 2331))?.version == 40)
        #expect(QRCode.encode(String(repeating: "a", count: 2332)) == nil)
        let q = try #require(QRCode.encode("http://127.0.0.1:8080/t/abc"))
        let penalties = (0..<8).map { QRCode.encode("http://127.0.0.1:8080/t/abc", mask: $0)!.penalty() }
        #expect(q.penalty() == penalties.min())
        let svg = q.svg(title: "A<1>")
        #expect(svg.hasPrefix("<svg") && svg.contains("viewBox=\"0 0 37 37\"") && svg.contains("<title>A&lt;1&gt;</title>"))
        // Each dark run of a row is one rectangle, offset by the quiet zone.
        var path = ""
        for y in 0..<q.size {
            var x = 0
            while x < q.size {
                guard q.isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                var run = 1
                while q.isDark(x: x + run, y: y) { run += 1 }
                path += "M\(x + 4) \(y + 4)h\(run)v1h-\(run)z"
                x += run
            }
        }
        #expect(svg.contains("<path d=\"\(path)\" fill=\"#000\"/></svg>"))
    }

    /// The penalty rules of ISO/IEC 18004 §7.8.3, written plainly: the fast scan must score alike.
    static func referencePenalty(_ q: QRCode) -> Int {
        let size = q.size
        var p = 0
        let finder: [Bool] = [true, false, true, true, true, false, true]
        func line(_ get: (Int) -> Bool) {
            var run = 1
            for i in 1...size {
                if i < size, get(i) == get(i - 1) {
                    run += 1
                } else {
                    if run >= 5 { p += 3 + run - 5 }
                    run = 1
                }
            }
            func light(_ i: Int) -> Bool { i < 0 || i >= size || !get(i) }
            for i in 0...(size - 7) where (0..<7).allSatisfy({ get(i + $0) == finder[$0] }) {
                if (1...4).allSatisfy({ light(i - $0) }) || (1...4).allSatisfy({ light(i + 6 + $0) }) { p += 40 }
            }
        }
        for y in 0..<size { line { q.isDark(x: $0, y: y) } }
        for x in 0..<size { line { q.isDark(x: x, y: $0) } }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let c = q.isDark(x: x, y: y)
                if c == q.isDark(x: x + 1, y: y) && c == q.isDark(x: x, y: y + 1) && c == q.isDark(x: x + 1, y: y + 1) { p += 3 }
            }
        }
        let dark = (0..<size).flatMap { y in (0..<size).map { x in q.isDark(x: x, y: y) } }.filter { $0 }.count
        let total = size * size
        p += max(0, (abs(dark * 20 - total * 10) + total - 1) / total - 1) * 10
        return p
    }

    @Test("the penalty score matches the rules written plainly, for every mask of several texts")
    func penaltyMatchesRules() throws {
        let texts = [
            "A", "http://127.0.0.1:8080/track?number=DL010200-20261123-0001", String(repeating: "办件", count: 40),
            String(repeating: "办件", count: 90),  // version 13: wider than a 64-bit row, scanned module by module
        ]
        for text in texts {
            for mask in 0..<8 {
                let q = try #require(QRCode.encode(text, mask: mask))
                #expect(q.penalty() == Self.referencePenalty(q), "\(text) mask \(mask)")
            }
        }
    }

    @Test("the word-wise score equals the module-by-module scan on random symbols of every width up to 64")
    func wordsMatchScan() {
        var g = SystemRandomNumberGenerator()
        for n in [7, 8, 21, 25, 33, 45, 63, 64] {
            for _ in 0..<20 {
                // Sparse, dense and even patterns, so that long runs and finder patterns occur.
                let bias = Int.random(in: 1...9, using: &g)
                let modules = (0..<(n * n)).map { _ in Int.random(in: 0..<10, using: &g) < bias }
                #expect(QRCode.bitPenalty(modules, size: n) == QRCode.scanPenalty(modules, size: n), "size \(n)")
            }
        }
    }
}
