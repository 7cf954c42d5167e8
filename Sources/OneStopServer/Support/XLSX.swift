import Foundation

/// A one-sheet Office Open XML workbook (.xlsx), written without a library: the five parts a
/// spreadsheet program needs, in a ZIP archive stored without compression. Numbers are written as
/// numbers (a cell of type `n`), text as inline strings, the first row bold-free as a header.
enum XLSX {
    enum Cell: Sendable, Equatable {
        case text(String)
        case number(Double)
        case empty
    }

    /// The workbook's bytes: one sheet named `sheet` (at most 31 characters, without `[]:*?/\`).
    static func workbook(sheet: String, rows: [[Cell]]) -> [UInt8] {
        let name = String(sheet.filter { !"[]:*?/\\".contains($0) }.prefix(31))
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
        xml += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for (r, row) in rows.enumerated() {
            xml += "<row r=\"\(r + 1)\">"
            for (c, cell) in row.enumerated() {
                let ref = column(c) + String(r + 1)
                switch cell {
                case .text(let s): xml += "<c r=\"\(ref)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escape(s))</t></is></c>"
                case .number(let v) where v.isFinite: xml += "<c r=\"\(ref)\"><v>\(number(v))</v></c>"
                case .number, .empty: break
                }
            }
            xml += "</row>"
        }
        xml += "</sheetData></worksheet>"
        let parts: [(String, String)] = [
            (
                "[Content_Types].xml",
                #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
            ),
            (
                "_rels/.rels",
                #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
            (
                "xl/workbook.xml",
                #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name=""#
                    + escape(name.isEmpty ? "Sheet1" : name) + #"" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
            (
                "xl/_rels/workbook.xml.rels",
                #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
            ("xl/worksheets/sheet1.xml", xml),
        ]
        return zip(parts.map { ($0.0, Array($0.1.utf8)) })
    }

    /// `A`, `B`, … `Z`, `AA`…
    static func column(_ i: Int) -> String {
        var n = i + 1
        var s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(UnicodeScalar(UInt8(65 + r))) + s
            n = (n - 1) / 26
        }
        return s
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // Control characters other than tab and line breaks are not allowed in XML 1.0.
            case _ where ch.value < 0x20 && ch != "\t" && ch != "\n" && ch != "\r": continue
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    // MARK: ZIP (stored)

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func zip(_ files: [(name: String, data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ v: Int, _ into: inout [UInt8]) { into += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: UInt32, _ into: inout [UInt8]) { into += (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        // 1980-01-01 00:00, the format's earliest: the archive does not depend on the time.
        let (time, date) = (0, 0x21)
        for f in files {
            let name = Array(f.name.utf8)
            let crc = crc32(f.data)
            let offset = UInt32(out.count)
            le32(0x0403_4B50, &out)
            le16(20, &out); le16(0x0800, &out); le16(0, &out); le16(time, &out); le16(date, &out)
            le32(crc, &out); le32(UInt32(f.data.count), &out); le32(UInt32(f.data.count), &out)
            le16(name.count, &out); le16(0, &out)
            out += name
            out += f.data
            le32(0x0201_4B50, &central)
            le16(20, &central); le16(20, &central); le16(0x0800, &central); le16(0, &central); le16(time, &central); le16(date, &central)
            le32(crc, &central); le32(UInt32(f.data.count), &central); le32(UInt32(f.data.count), &central)
            le16(name.count, &central); le16(0, &central); le16(0, &central); le16(0, &central); le16(0, &central)
            le32(0, &central); le32(offset, &central)
            central += name
        }
        let start = UInt32(out.count)
        out += central
        le32(0x0605_4B50, &out)
        le16(0, &out); le16(0, &out); le16(files.count, &out); le16(files.count, &out)
        le32(UInt32(central.count), &out); le32(start, &out); le16(0, &out)
        return out
    }
}
