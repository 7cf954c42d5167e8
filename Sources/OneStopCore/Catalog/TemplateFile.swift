/// What a material's template or example upload may be: PDF, Word, Excel, JPEG or PNG of at most
/// 5 MB, recognised by its first bytes, with a file name stripped of any path.
public enum TemplateFile {
    public static let maxBytes = 5 * 1024 * 1024

    public enum Kind: String, CaseIterable, Sendable {
        case template, example
    }

    public static func contentType(_ bytes: [UInt8], filename: String) -> Result<String, FieldError> {
        if bytes.isEmpty { return .failure(FieldError("file", "required")) }
        if bytes.count > maxBytes { return .failure(FieldError("file", "file.tooLarge")) }
        let ext = filename.split(separator: ".").last.map { $0.lowercased() } ?? ""
        if bytes.starts(with: Array("%PDF-".utf8)) { return .success("application/pdf") }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .success("image/jpeg") }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return .success("image/png") }
        // Office files: the old binary formats are OLE containers, the new ones zip archives.
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0]), ext == "doc" || ext == "xls" {
            return .success(ext == "doc" ? "application/msword" : "application/vnd.ms-excel")
        }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), ext == "docx" || ext == "xlsx" {
            return .success(
                ext == "docx"
                    ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        return .failure(FieldError("file", "file.type"))
    }

    /// The extensions a detected type is stored under; the first is used when the name has none of them.
    static let extensions: [String: [String]] = [
        "application/pdf": ["pdf"], "image/jpeg": ["jpg", "jpeg"], "image/png": ["png"], "application/msword": ["doc"],
        "application/vnd.ms-excel": ["xls"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ["docx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ["xlsx"],
    ]

    /// `safeName(raw)` with its extension made that of the detected content type: `evil.html`
    /// that is a PDF is stored as `evil.pdf`, `scan` that is a JPEG as `scan.jpg`, so no stored
    /// name can make a browser or a desktop treat the file as another kind.
    public static func storedName(_ raw: String, contentType: String) -> String {
        let name = safeName(raw)
        guard let allowed = extensions[contentType], let first = allowed.first else { return name }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 1, allowed.contains(parts.last!.lowercased()) { return name }
        let stem = parts.count > 1 ? parts.dropLast().joined(separator: ".") : name
        return String((stem + "." + first).suffix(100))
    }

    /// The last path component, without control characters, at most 100 characters.
    public static func safeName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = last.unicodeScalars.filter { !$0.properties.isDefaultIgnorableCodePoint && $0.properties.generalCategory != .control }
        var name = String(String.UnicodeScalarView(clean)).trimmingCharacters(in: .whitespaces)
        while name.hasPrefix(".") { name.removeFirst() }
        if name.count > 100 { name = String(name.suffix(100)) }
        return name.isEmpty ? "file" : name
    }
}
