import Fluent
import Foundation
import OneStopCore

/// A public commitment (一诺, issue 21) of a staff member, a department or a center for a
/// half-year, its pledges (JSON `[Pledge]`, with the review's verdicts once reviewed), and the
/// commitment it renews.
final class CommitmentModel: Model, @unchecked Sendable {
    static let schema = "commitments"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    /// `staff:`, `department:` or `center:` with an id.
    @Field(key: "subject") var subject: String
    @Field(key: "subject_name") var subjectName: String
    @Field(key: "period") var period: String
    @Field(key: "pledges") var pledges: String
    /// `published`, then `reviewed` (回头看).
    @Field(key: "state") var state: String
    @OptionalField(key: "renews") var renews: UUID?
    @Field(key: "made_by") var madeBy: String
    @Field(key: "made_at") var madeAt: Int64
    @Field(key: "reviewed_by") var reviewedBy: String
    @OptionalField(key: "reviewed_at") var reviewedAt: Int64?

    init() {}

    var pledgesValue: [Pledge] {
        get { (try? JSONDecoder().decode([Pledge].self, from: Data(pledges.utf8))) ?? [] }
        set { pledges = String(decoding: (try? JSONEncoder.sorted.encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }
}
