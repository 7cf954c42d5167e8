import Fluent
import Foundation

/// A person's account. Devices have `DeviceModel` instead.
final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "staff_id") var staffID: UUID?
    /// Sealed (`PersonalData`): read and set through `phone`.
    @OptionalField(key: "phone") var sealedPhone: String?
    @Field(key: "failed_logins") var failedLogins: Int
    /// Seconds since 1970; a plain number so both databases compare it alike.
    @OptionalField(key: "locked_until") var lockedUntil: Double?
    @Field(key: "disabled") var disabled: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// Sealed (`PersonalData`): the TOTP secret in base32, read through `totpSecret`. Set and not
    /// yet confirmed (`totpEnabledAt` nil) while the account is enrolling.
    @OptionalField(key: "totp_secret") var sealedTOTPSecret: String?
    @OptionalField(key: "totp_enabled_at") var totpEnabledAt: Double?
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?
    /// A JSON array of the SHA-256 of the unused recovery codes.
    @OptionalField(key: "recovery_codes") var recoveryCodes: String?
    /// Until when sign-in lets an account that must enrol skip it (seconds since 1970).
    @OptionalField(key: "two_factor_grace_until") var twoFactorGraceUntil: Double?

    init() {}

    var totpSecret: String? {
        get { PersonalData.open(sealedTOTPSecret, Self.totpField) }
        set { sealedTOTPSecret = PersonalData.seal(newValue, Self.totpField) }
    }

    static let totpField = "users.totp_secret"

    var phone: String? {
        get { PersonalData.open(sealedPhone, Self.phoneField) }
        set { sealedPhone = PersonalData.seal(newValue, Self.phoneField) }
    }

    static let phoneField = "users.phone"
}

/// A bearer token an API client got from `login`. Only its SHA-256 is stored.
final class APITokenModel: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Double
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A kiosk, hall display or window evaluator, signed in by a scoped, revocable bearer token.
final class DeviceModel: Model, @unchecked Sendable {
    static let schema = "devices"

    @ID(key: .id) var id: UUID?
    @Field(key: "label") var label: String
    @Field(key: "role") var role: String
    @Field(key: "center_id") var centerID: UUID
    @OptionalField(key: "window_id") var windowID: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
