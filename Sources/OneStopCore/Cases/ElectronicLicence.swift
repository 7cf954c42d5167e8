import Foundation

/// 电子证照 (DOMAIN.md section 4): what an approval that grants a licence issues, as a one-page PDF
/// with the licence's data and a QR code of its verification address, and which materials of a
/// later application it stands in for (材料免提交).
public enum ElectronicLicence {
    /// A licence a holder has: its kind (the guide's result, 营业执照) and number.
    public struct Held: Sendable, Equatable, Codable {
        public var kind: String
        public var number: String

        public init(kind: String, number: String) {
            self.kind = kind
            self.number = number
        }
    }

    /// The materials (by position, 1-based) that licences the holder has stand in for: a material
    /// whose name begins with a licence's kind (营业执照（副本） for a 营业执照).
    public static func exempt(materials: [String], held: [Held]) -> [Int: Held] {
        var out: [Int: Held] = [:]
        let kinds = held.map { (SearchText.normalize($0.kind), $0) }.filter { !$0.0.isEmpty }
        for (i, name) in materials.enumerated() {
            let n = SearchText.normalize(name)
            if let match = kinds.first(where: { n.hasPrefix($0.0) }) { out[i + 1] = match.1 }
        }
        return out
    }

    /// The verification code printed on the licence: the first 8 characters of its token, in
    /// two groups (`3F9A-C21B`), for someone who types rather than scans.
    public static func code(token: String) -> String {
        let head = String(token.prefix(8)).uppercased()
        return head.count == 8 ? String(head.prefix(4)) + "-" + String(head.suffix(4)) : head
    }

    /// What the PDF prints.
    public struct Sheet: Sendable {
        public var title: String
        /// Label and value, in order (证照编号, 持证人, …).
        public var rows: [(String, String)]
        public var authority: String
        public var issuedOn: String
        public var verifyURL: String
        public var code: String

        public init(title: String, rows: [(String, String)], authority: String, issuedOn: String, verifyURL: String, code: String) {
            self.title = title
            self.rows = rows
            self.authority = authority
            self.issuedOn = issuedOn
            self.verifyURL = verifyURL
            self.code = code
        }
    }

    /// One A4 page in PDF 1.4 with the Adobe-GB1 font every PDF reader provides (STSong-Light,
    /// not embedded), so that the file stays a few kilobytes and its bytes are the same each time
    /// for the same sheet.
    public static func pdf(_ sheet: Sheet) -> [UInt8] {
        var content = ""
        func text(_ s: String, x: Double, y: Double, size: Double) {
            content += "BT /F1 \(fmt(size)) Tf 1 0 0 1 \(fmt(x)) \(fmt(y)) Tm <\(ucs2(s))> Tj ET\n"
        }
        /// Width in points at a size: CJK full width, Latin half width.
        func width(_ s: String, size: Double) -> Double {
            s.unicodeScalars.reduce(0) { w, u in
                let v = Int(u.value)
                return w + ((32...126).contains(v) ? Double(latinWidthTable[v - 32]) / 1000 : v < 0x80 ? 0.5 : 1.0)
            } * size
        }
        // A double frame, the title centred, the rows, the authority and date, the QR code.
        content += "0.6 0.1 0.1 RG 3 w 36 36 523 770 re S 1 w 44 44 507 754 re S 0 0 0 RG 0 g\n"
        text(sheet.title, x: (595 - width(sheet.title, size: 28)) / 2, y: 720, size: 28)
        var y = 650.0
        for (label, value) in sheet.rows {
            text(label, x: 80, y: y, size: 13)
            // Long values wrap at 30 full-width characters.
            var line = ""
            var lineY = y
            for ch in value {
                line.append(ch)
                if width(line, size: 13) > 13 * 28 {
                    text(line, x: 200, y: lineY, size: 13)
                    line = ""
                    lineY -= 20
                }
            }
            if !line.isEmpty { text(line, x: 200, y: lineY, size: 13) }
            y = lineY - 32
        }
        text(sheet.authority, x: 515 - width(sheet.authority, size: 14), y: 200, size: 14)
        text(sheet.issuedOn, x: 515 - width(sheet.issuedOn, size: 14), y: 176, size: 14)
        if let qr = QRCode.encode(sheet.verifyURL) {
            let cell = 96.0 / Double(qr.size)
            var rects = ""
            for my in 0..<qr.size {
                for mx in 0..<qr.size where qr.isDark(x: mx, y: my) {
                    rects += "\(fmt(80 + Double(mx) * cell)) \(fmt(96 + 96 - Double(my + 1) * cell)) \(fmt(cell)) \(fmt(cell)) re\n"
                }
            }
            content += rects + "f\n"
        }
        text("扫码或访问验证：", x: 190, y: 170, size: 10)
        text(sheet.verifyURL, x: 190, y: 154, size: 9)
        text("验证码：" + sheet.code, x: 190, y: 136, size: 10)
        text("本电子证照由一站通政务服务平台签发，与纸质证照具有同等效力，以平台存档为准。", x: 80, y: 70, size: 9)

        let stream = Array(content.utf8)
        let objects: [[UInt8]] = [
            Array("<< /Type /Catalog /Pages 2 0 R >>".utf8),
            Array("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".utf8),
            Array(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".utf8),
            Array("<< /Length \(stream.count) >>\nstream\n".utf8) + stream + Array("endstream".utf8),
            Array("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>".utf8),
            Array(
                ("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
                    + "/Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 /W [1 [\(latinWidths)]] >>").utf8),
            Array(
                ("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 "
                    + "/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>").utf8),
        ]
        var out = Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(i + 1) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        let xref = out.count
        out += Array("xref\n0 \(objects.count + 1)\n0000000000 65535 f \n".utf8)
        for o in offsets { out += Array((String(repeating: "0", count: 10 - String(o).count) + "\(o) 00000 n \n").utf8) }
        out += Array("trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }

    /// The advance widths of STSong-Light's proportional Latin (CIDs 1–95, space to tilde), in
    /// thousandths of the size, so that a reader's substitute font spaces Latin text evenly.
    static let latinWidthTable: [Int] = [
        207, 270, 342, 467, 462, 797, 710, 239, 374, 374, 423, 605, 238, 375, 238, 334, 462, 462, 462, 462, 462, 462, 462, 462, 462,
        462, 238, 238, 605, 605, 605, 344, 748, 684, 560, 695, 739, 563, 511, 729, 793, 318, 312, 666, 526, 896, 758, 772, 544, 772,
        628, 465, 607, 753, 711, 972, 647, 620, 607, 374, 333, 374, 606, 500, 239, 417, 503, 427, 529, 415, 264, 444, 518, 241, 230,
        495, 228, 793, 527, 524, 524, 504, 338, 336, 277, 517, 450, 652, 466, 452, 407, 370, 258, 370, 605,
    ]
    static let latinWidths = latinWidthTable.map(String.init).joined(separator: " ")

    /// UTF-16 big-endian hex, as UniGB-UCS2-H takes it (characters outside the BMP are dropped).
    public static func ucs2(_ s: String) -> String {
        var hex = ""
        for u in s.utf16 where !(0xD800...0xDFFF).contains(u) { hex += String(format: "%04X", u) }
        return hex
    }

    static func fmt(_ v: Double) -> String { String(format: "%.2f", v) }
}
