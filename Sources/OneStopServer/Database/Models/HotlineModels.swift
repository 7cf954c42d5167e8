import Fluent
import Foundation

/// A call to a window's supervision phone (issue 20), entered by hand or imported from the PBX.
/// The caller's number is sealed.
final class PhoneCallModel: Model, @unchecked Sendable {
    static let schema = "phone_calls"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "window_id") var windowID: UUID
    /// The center's day of the call, `YYYY-MM-DD`.
    @Field(key: "day") var day: String
    @Field(key: "started_at") var startedAt: Int64
    /// The number dialled (the window's phone, or its extension).
    @Field(key: "dialled") var dialled: String
    @OptionalField(key: "caller") var sealedCaller: String?
    /// `CallDisposition`.
    @Field(key: "disposition") var disposition: String
    @Field(key: "duration") var duration: Int
    @Field(key: "billsec") var billsec: Int
    /// `manual` or `pbx`.
    @Field(key: "source") var source: String
    /// The PBX's `uniqueid` ("" for a call entered by hand).
    @Field(key: "unique_id") var uniqueID: String
    /// A supervisor's test call (暗访).
    @Field(key: "test") var test: Bool
    /// `TestCallVerdict` of a test call.
    @OptionalField(key: "verdict") var verdict: String?
    @Field(key: "note") var note: String
    @Field(key: "logged_by") var loggedBy: String
    @Field(key: "logged_at") var loggedAt: Int64

    init() {}

    static let callerField = "phone_calls.caller"
    var caller: String? {
        get { PersonalData.open(sealedCaller, Self.callerField) }
        set { sealedCaller = PersonalData.seal(newValue, Self.callerField) }
    }
}

/// A warning raised for a window's day with too many unanswered calls, once.
final class PhoneWarningModel: Model, @unchecked Sendable {
    static let schema = "phone_warnings"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "window_id") var windowID: UUID
    @Field(key: "day") var day: String
    @Field(key: "unanswered") var unanswered: Int
    @Field(key: "raised_at") var raisedAt: Int64

    init() {}
}

/// An Open311 client's API key, kept as its SHA-256; the key itself is shown once.
final class Open311KeyModel: Model, @unchecked Sendable {
    static let schema = "open311_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    /// Who it is for (the client application or organisation).
    @Field(key: "name") var name: String
    @Field(key: "key_hash") var keyHash: String
    /// The key's first characters, to tell keys apart.
    @Field(key: "prefix") var prefix: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int64
    @OptionalField(key: "revoked_at") var revokedAt: Int64?

    init() {}
}

/// A file sent with a work order (PDF, JPEG or PNG by content).
final class WorkOrderAttachmentModel: Model, @unchecked Sendable {
    static let schema = "work_order_attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "order_id") var orderID: UUID
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "data") var data: Data
    @Field(key: "added_by") var addedBy: String
    @Field(key: "added_at") var addedAt: Int64

    init() {}
}
