/// What an applicant may upload for a material: PDF, JPEG or PNG, recognised by their first bytes
/// (not by the name or the type the browser claims), at most 10 MB each, at most 10 files per
/// material and 50 MB in one submission. Names keep only their last path component, with the
/// extension of the detected type.
public enum CaseUpload {
    public static let maxFileBytes = 10 * 1024 * 1024
    public static let maxFilesPerMaterial = 10
    public static let maxTotalBytes = 50 * 1024 * 1024

    public struct Checked: Sendable, Equatable {
        public var filename: String
        public var contentType: String
        public var size: Int
    }

    /// The file's type by its content, or the problem with it; `field` names the material.
    public static func check(_ bytes: [UInt8], filename: String, field: String) -> Result<Checked, FieldError> {
        if bytes.isEmpty { return .failure(FieldError(field, "file.empty")) }
        if bytes.count > maxFileBytes { return .failure(FieldError(field, "file.tooLarge10")) }
        let type: String
        if bytes.starts(with: Array("%PDF-".utf8)) {
            type = "application/pdf"
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            type = "image/jpeg"
        } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            type = "image/png"
        } else {
            return .failure(FieldError(field, "file.caseType"))
        }
        return .success(Checked(filename: TemplateFile.storedName(filename, contentType: type), contentType: type, size: bytes.count))
    }

    /// Problems with a whole submission: per material count, and the total size.
    public static func checkTotals(_ counts: [(field: String, files: Int)], totalBytes: Int) -> [FieldError] {
        var v = counts.filter { $0.files > maxFilesPerMaterial }.map { FieldError($0.field, "file.tooMany") }
        if totalBytes > maxTotalBytes { v.append(FieldError("materials", "file.totalTooLarge")) }
        return v
    }
}
