import Fluent
import Foundation

/// A staff member's photo, kept in the database so that every instance serves the same one.
final class StaffPhotoModel: Model, @unchecked Sendable {
    static let schema = "staff_photos"

    /// The staff member's id.
    @ID(custom: "staff_id", generatedBy: .user) var id: UUID?
    @Field(key: "content_type") var contentType: String
    @Field(key: "data") var data: Data
    @Field(key: "updated_ms") var updatedMillis: Int64

    init() {}
}
