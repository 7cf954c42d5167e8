import Fluent
import Foundation

/// A center's calling rule and display texts (one row per center; defaults until one is saved).
final class QueueSettingsModel: Model, @unchecked Sendable {
    static let schema = "queue_settings"

    @ID(custom: "center_id", generatedBy: .user) var id: UUID?
    @Field(key: "interleave") var interleave: Int
    @Field(key: "ageing_seconds") var ageingSeconds: Int
    @Field(key: "max_skips") var maxSkips: Int
    @Field(key: "check_in_early") var checkInEarly: Int
    @Field(key: "check_in_late") var checkInLate: Int
    /// 请 {number} 号到 {window} 号窗口办理
    @Field(key: "voice_template") var voiceTemplate: String
    /// The hall board's scrolling notice.
    @Field(key: "notice") var notice: String
    /// Seconds the evaluator waits for a rating before it records "not rated".
    @Field(key: "rating_timeout") var ratingTimeout: Int
    /// The longest a visitor should wait, in minutes.
    @Field(key: "wait_target_minutes") var waitTargetMinutes: Int
    /// 外地人员 are admitted to the green channel.
    @Field(key: "green_non_local") var greenNonLocal: Bool

    init() {}
}

/// 业务分组 — what a visitor queues for, with its letter and its appointment slots.
final class ServiceGroupModel: Model, @unchecked Sendable {
    static let schema = "service_groups"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "prefix") var prefix: String
    @Field(key: "name") var name: String
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "sort") var sort: Int
    @Field(key: "active") var active: Bool
    @Field(key: "periods") var periods: String
    @Field(key: "slot_minutes") var slotMinutes: Int
    @Field(key: "slot_capacity") var slotCapacity: Int
    @Field(key: "days_ahead") var daysAhead: Int
    /// 延时服务: extended-hours periods on working days and on ordinary weekends ("" is none).
    @Field(key: "extended_periods") var extendedPeriods: String
    @Field(key: "weekend_periods") var weekendPeriods: String

    init() {}
}

/// 取号 — one visit to one group on one day.
final class TicketModel: Model, @unchecked Sendable {
    static let schema = "tickets"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "group_id") var groupID: UUID
    @Field(key: "day") var day: String
    @Field(key: "sequence") var sequence: Int
    @Field(key: "number") var number: String
    @Field(key: "class") var ticketClass: String
    @Field(key: "state") var state: String
    /// kiosk, phone, appointment, transfer, staff
    @Field(key: "source") var source: String
    /// The secret in the ticket's QR code that lets a phone follow it.
    @Field(key: "follow_token") var followToken: String
    @Field(key: "issued_at") var issuedAt: Int64
    /// When it (re)entered the queue: FIFO and ageing are by this.
    @Field(key: "queued_at") var queuedAt: Int64
    @OptionalField(key: "called_at") var calledAt: Int64?
    @OptionalField(key: "started_at") var startedAt: Int64?
    @OptionalField(key: "finished_at") var finishedAt: Int64?
    @OptionalField(key: "window_id") var windowID: UUID?
    @OptionalField(key: "staff_id") var staffID: UUID?
    @OptionalField(key: "return_window_id") var returnWindowID: UUID?
    @OptionalField(key: "previous_id") var previousID: UUID?
    @OptionalField(key: "appointment_id") var appointmentID: UUID?
    @Field(key: "skips") var skips: Int
    @Field(key: "calls") var calls: Int
    @Field(key: "rated") var rated: Bool

    init() {}
}

/// Who sits at a window now, whether it is paused, and the ticket it has.
final class WindowStateModel: Model, @unchecked Sendable {
    static let schema = "window_states"

    @ID(custom: "window_id", generatedBy: .user) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "user_id") var userID: UUID?
    @OptionalField(key: "staff_id") var staffID: UUID?
    @Field(key: "paused") var paused: Bool
    /// Priority calls in a row while ordinary tickets waited (the calling rule's memory).
    @Field(key: "streak") var streak: Int
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @Field(key: "changed_at") var changedAt: Int64

    init() {}
}

/// Sign-in, sign-out, pause and resume of a window, for idle time.
final class WindowEventModel: Model, @unchecked Sendable {
    static let schema = "window_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "window_id") var windowID: UUID
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "staff_id") var staffID: UUID?
    @Field(key: "day") var day: String
    @Field(key: "kind") var kind: String
    @Field(key: "at") var at: Int64

    init() {}
}

/// 预约 — a booked slot. The person is known by a hash of their ID number; only the masked number
/// is kept in clear.
final class AppointmentModel: Model, @unchecked Sendable {
    static let schema = "appointments"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @Field(key: "group_id") var groupID: UUID
    @Field(key: "day") var day: String
    @Field(key: "slot_start") var slotStart: Int
    @Field(key: "slot_end") var slotEnd: Int
    /// The blind index of the visitor's ID number: one open booking per person.
    @Field(key: "person_key") var personKey: String
    /// Sealed (`PersonalData`): read and set through `name` and `phone`.
    @Field(key: "name") var sealedName: String
    @Field(key: "id_masked") var idMasked: String
    @Field(key: "phone") var sealedPhone: String
    /// The booking code the visitor checks in with.
    @Field(key: "code") var code: String
    /// booked, cancelled, checked_in, no_show
    @Field(key: "state") var state: String
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @Field(key: "created_at") var createdAt: Int64
    /// A slot of extended hours (延时服务), and the member of staff assigned to serve it.
    @Field(key: "extended") var extended: Bool
    @OptionalField(key: "staff_id") var staffID: UUID?

    init() {}

    var name: String {
        get { PersonalData.open(sealedName, Self.nameField) }
        set { sealedName = PersonalData.seal(newValue, Self.nameField) }
    }
    var phone: String {
        get { PersonalData.open(sealedPhone, Self.phoneField) }
        set { sealedPhone = PersonalData.seal(newValue, Self.phoneField) }
    }

    static let nameField = "appointments.name"
    static let phoneField = "appointments.phone"
}

/// 好差评 record (DOMAIN.md §6). `level` nil is "not rated" (the evaluator timed out).
final class RatingModel: Model, @unchecked Sendable {
    static let schema = "ratings"

    @ID(key: .id) var id: UUID?
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "window_id") var windowID: UUID?
    @OptionalField(key: "staff_id") var staffID: UUID?
    @OptionalField(key: "item_id") var itemID: UUID?
    @OptionalField(key: "case_id") var caseID: UUID?
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @Field(key: "channel") var channel: String
    @Field(key: "rater_kind") var raterKind: String
    @OptionalField(key: "rater_identity") var raterIdentity: String?
    @OptionalField(key: "level") var level: Int?
    /// Comma-separated tag codes.
    @Field(key: "tags") var tags: String
    @Field(key: "text") var text: String
    @Field(key: "at") var at: Int64
    @Field(key: "round") var round: Int
    /// An upheld appeal took it out of every figure; it stays on record.
    @Field(key: "excluded") var excluded: Bool
    /// Where it came from, for the fraud rules: `device:<window>`, `phone:<blind index>`,
    /// `addr:<client address>` ("" unknown).
    @Field(key: "source") var source: String
    /// The hotline operator who recorded it ("" for any other channel); never the rater.
    @Field(key: "operator") var operatorName: String
    /// The hotline caller's name and phone, sealed.
    @OptionalField(key: "caller_name") var sealedCallerName: String?
    @OptionalField(key: "caller_phone") var sealedCallerPhone: String?

    static let callerNameField = "ratings.caller_name"
    static let callerPhoneField = "ratings.caller_phone"
    var callerName: String? {
        get { PersonalData.open(sealedCallerName, Self.callerNameField) }
        set { sealedCallerName = PersonalData.seal(newValue, Self.callerNameField) }
    }
    var callerPhone: String? {
        get { PersonalData.open(sealedCallerPhone, Self.callerPhoneField) }
        set { sealedCallerPhone = PersonalData.seal(newValue, Self.callerPhoneField) }
    }

    init() {}
}
