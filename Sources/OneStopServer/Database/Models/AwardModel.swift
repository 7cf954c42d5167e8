import Fluent
import Foundation

/// An award (issue 21): what, to whom (a scope key: `center:`, `department:`, `window:`, `staff:`
/// with an id), for which period, why, and by which center.
final class AwardModel: Model, @unchecked Sendable {
    static let schema = "awards"

    @ID(key: .id) var id: UUID?
    /// The center that gives it (for the red flag, the higher authority).
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "subject") var subject: String
    @Field(key: "subject_name") var subjectName: String
    @Field(key: "period") var period: String
    @Field(key: "reason") var reason: String
    @Field(key: "granted_by") var grantedBy: String
    @Field(key: "granted_at") var grantedAt: Int64

    init() {}
}
