import Fluent
import Foundation
import SQLKit

/// Two-factor sign-in (issue 18): an account's TOTP secret (sealed like other personal data),
/// when it was confirmed, the last time step used (a code is good once), the hashes of its
/// recovery codes, and the end of its grace period. Accounts that exist at the upgrade get their
/// seven days of grace from the upgrade, not from when they were made.
struct TwoFactor: AsyncMigration {
    var name: String { "026_TwoFactor" }

    func prepare(on db: any Database) async throws {
        try await db.schema("users")
            .field("totp_secret", .string)
            .update()
        try await db.schema("users").field("totp_enabled_at", .double).update()
        try await db.schema("users").field("totp_last_step", .int64).update()
        try await db.schema("users").field("recovery_codes", .string).update()
        try await db.schema("users").field("two_factor_grace_until", .double).update()
        guard let sql = db as? any SQLDatabase else { return }
        let until = Date().timeIntervalSince1970 + 7 * 86_400
        try await sql.raw("UPDATE users SET two_factor_grace_until = \(bind: until)").run()
    }

    func revert(on db: any Database) async throws {
        for column in ["totp_secret", "totp_enabled_at", "totp_last_step", "recovery_codes", "two_factor_grace_until"] {
            try await db.schema("users").deleteField(.string(column)).update()
        }
    }
}
