import Foundation
import Vapor

/// A report's table as a file, CSV or XLSX (`?format=csv|xlsx`): the same rows either way, numbers
/// as numbers in the workbook, UTF-8 with a byte-order mark in the CSV so that spreadsheet programs
/// read the Chinese right.
enum TableExport {
    enum Format: String, CaseIterable {
        case csv, xlsx
    }

    static func format(_ req: Request) -> Format? { req.query[String.self, at: "format"].flatMap(Format.init) }

    static func response(_ format: Format, file: String, sheet: String, head: [String], rows: [[XLSX.Cell]]) -> Response {
        let response: Response
        switch format {
        case .csv:
            let lines = [head] + rows.map { $0.map(text) }
            let body = "\u{FEFF}" + lines.map { $0.map(CSVField.escape).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
            response = Response(status: .ok, body: .init(string: body))
            response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        case .xlsx:
            let bytes = XLSX.workbook(sheet: sheet, rows: [head.map { XLSX.Cell.text($0) }] + rows)
            response = Response(status: .ok, body: .init(data: Data(bytes)))
            response.headers.replaceOrAdd(name: .contentType, value: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        // An ASCII name for old clients, the real one (RFC 6266) for the rest.
        let ascii = String(file.map { $0.isASCII && $0 != "\"" ? $0 : "_" })
        let encoded = (file + "." + format.rawValue).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        response.headers.replaceOrAdd(
            name: .contentDisposition, value: "attachment; filename=\"\(ascii).\(format.rawValue)\"; filename*=UTF-8''\(encoded)")
        return response
    }

    static func text(_ c: XLSX.Cell) -> String {
        switch c {
        case .text(let s): return s
        case .number(let v): return XLSX.number(v)
        case .empty: return ""
        }
    }
}
