/// What a staff photo upload may be: a JPEG or PNG of at most 2 MB, recognised by its first bytes
/// rather than by what the client claims.
public enum StaffPhoto {
    public static let maxBytes = 2 * 1024 * 1024

    public enum Kind: String, Sendable {
        case jpeg = "image/jpeg"
        case png = "image/png"
    }

    public static func check(_ bytes: [UInt8]) -> Result<Kind, FieldError> {
        if bytes.isEmpty { return .failure(FieldError("photo", "required")) }
        if bytes.count > maxBytes { return .failure(FieldError("photo", "photo.tooLarge")) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .success(.jpeg) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .success(.png) }
        return .failure(FieldError("photo", "photo.type"))
    }
}
