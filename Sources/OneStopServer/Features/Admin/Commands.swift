import Fluent
import Foundation
import OneStopCore
import Vapor

func registerCommands(_ app: Application) {
    app.asyncCommands.use(SeedCommand(), as: "seed")
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(CalendarCommand(), as: "calendar")
    app.asyncCommands.use(AuditCommand(), as: "audit")
    app.asyncCommands.use(IndicatorsCommand(), as: "indicators")
    app.asyncCommands.use(KeysCommand(), as: "keys")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
}

struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}

/// `onestop seed demo`
struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "dataset", help: "What to seed: demo")
        var dataset: String
    }

    var help: String { "Seeds data: `seed demo` creates the demo organisation (when the database is empty) and the admin account." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.dataset == "demo" else {
            throw CommandFailure(description: "unknown dataset \"\(signature.dataset)\"; use: seed demo")
        }
        let app = context.application
        try await createSchemaIfNeeded(app)
        try await app.migrateWithDataKeys()
        if let password = try await DemoData.seedIfEmpty(app) {
            context.console.print("Demo organisation created. Sign in as admin / \(password)")
        } else {
            context.console.print("The database already has centers; nothing seeded.")
        }
    }
}

/// `onestop user add <username> --role R --center CODE [--name N] [--password P]`
struct UserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "add")
        var action: String
        @Argument(name: "username")
        var username: String
        @Option(name: "role", help: "One of: \(Role.people.map(\.rawValue).joined(separator: ", "))")
        var role: String?
        @Option(name: "center", help: "The center's code")
        var center: String?
        @Option(name: "name", help: "Display name (defaults to the username)")
        var name: String?
        @Option(name: "password", help: "Password; generated and printed when omitted")
        var password: String?
    }

    var help: String {
        "Manages accounts: `user add <username> --role center_admin --center CODE` (the password is printed when generated)."
    }

    func run(using context: CommandContext, signature s: Signature) async throws {
        guard s.action == "add" else { throw CommandFailure(description: "unknown action \"\(s.action)\"; use: user add") }
        let app = context.application
        guard let code = s.center, let center = try await CenterModel.query(on: app.db).filter(\.$code == code).first() else {
            throw CommandFailure(description: "--center must name an existing center code")
        }
        let generated = s.password == nil
        let password = s.password ?? Digest.randomPassword()
        let input = UserInput(
            username: s.username, displayName: s.name ?? s.username, password: password, role: s.role ?? "",
            centerID: center.id?.uuidString)
        let valid: UserInput.Valid
        switch input.validate(passwordRequired: true) {
        case .success(let v): valid = v
        case .failure(let f):
            throw CommandFailure(description: f.errors.map { "\($0.field): \(app.catalog.fieldMessage($0, .en))" }.joined(separator: "\n"))
        }
        if try await UserModel.query(on: app.db).filter(\.$username == valid.username).count() > 0 {
            throw CommandFailure(description: "username \(valid.username) is taken")
        }
        let row = UserModel()
        row.username = valid.username
        row.displayName = valid.displayName
        row.passwordHash = try app.password.hash(password)
        row.role = valid.role.rawValue
        row.centerID = try center.requireID()
        row.failedLogins = 0
        row.disabled = false
        row.twoFactorGraceUntil = app.clock.now().timeIntervalSince1970 + app.settings.twoFactor.graceSeconds
        try await AuditedWrite.run(on: app.db, gate: app.writeGate, actor: "system:cli", now: app.clock.now()) { db in
            try await row.create(on: db)
            return (
                (),
                [AuditEvent("user.create", "user", id: row.id, center: row.centerID, detail: ["username": row.username, "role": row.role])]
            )
        }
        context.console.print("Created \(row.username) (\(row.role)) at \(center.name)" + (generated ? "; password: \(password)" : ""))
    }
}

/// `onestop calendar import <file> --year 2027 [--center CODE]`
struct CalendarCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "import")
        var action: String
        @Argument(name: "file", help: "A CSV (date,kind,name) or iCalendar (.ics) file")
        var file: String
        @Option(name: "year", help: "The year the file holds; its existing days are replaced")
        var year: Int?
        @Option(name: "center", help: "A center's code; omit for the national calendar")
        var center: String?
        @Option(name: "source", help: "Where the arrangement comes from (the notice's title and date)")
        var source: String?
    }

    var help: String { "Imports a year of holidays and make-up workdays: `calendar import 2027.csv --year 2027 [--center CODE]`." }

    func run(using context: CommandContext, signature s: Signature) async throws {
        guard s.action == "import" else { throw CommandFailure(description: "unknown action \"\(s.action)\"; use: calendar import") }
        guard let year = s.year else { throw CommandFailure(description: "--year is required") }
        let app = context.application
        guard let data = FileManager.default.contents(atPath: s.file), let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(description: "cannot read \(s.file) as UTF-8 text")
        }
        var centerID: UUID? = nil
        if let code = s.center {
            guard let c = try await CenterModel.query(on: app.db).filter(\.$code == code).first() else {
                throw CommandFailure(description: "no center with code \(code)")
            }
            centerID = c.id
        }
        let days: [DayOverride]
        do {
            days = try CalendarService.parse(text, year: year)
        } catch let v as ValidationFailure {
            throw CommandFailure(
                description: v.errors.map { "\($0.field): \(app.catalog.text("error.\($0.code)", .en, ["field": ""]))" }.joined(
                    separator: "\n"))
        }
        let tree = try await CenterTree.load(on: app.db)
        let outcome: CalendarService.Outcome
        do {
            outcome = try await CalendarService.replaceYear(
                scope: CalendarService.scopeKey(centerID), centerID: centerID, centers: centerID.map { tree.subtree($0) }, year: year,
                days: days, source: s.source, on: app.db, groupCommit: app.groupCommit, actor: "system:cli", now: app.clock.now())
        } catch let v as ValidationFailure {
            throw CommandFailure(
                description: v.errors.map { "\($0.field): \(app.catalog.text("error.\($0.code)", .en, ["field": ""]))" }.joined(
                    separator: "\n"))
        }
        context.console.print(
            "Imported \(outcome.days) days for \(year) into the \(s.center.map { "calendar of \($0)" } ?? "national calendar").")
        if outcome.retiming != nil {
            // The open clocks that span a changed day are laid again on the new calendar now.
            try await CalendarRetiming.runPending(app: app, now: { app.clock.now() })
            if let job = try await CalendarRetimingModel.find(outcome.retiming, on: app.db) {
                context.console.print(
                    "Re-timed \(job.cases) cases, \(job.tasks) tasks and \(job.steps) steps; \(job.withdrawn) warnings withdrawn.")
            }
        }
    }
}

/// `onestop audit verify`
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify")
        var action: String
    }

    var help: String { "Checks the audit log: `audit verify` reports the first broken link (exit status 1) or that the chain is intact." }

    func run(using context: CommandContext, signature s: Signature) async throws {
        guard s.action == "verify" else { throw CommandFailure(description: "unknown action \"\(s.action)\"; use: audit verify") }
        let (checked, problem) = try await AuditVerifier.verify(on: context.application.db)
        if let problem {
            throw CommandFailure(
                description:
                    "audit chain BROKEN after \(checked) intact entries: \(AuditAPIController.describe(problem, catalog: context.application.catalog, .en))"
            )
        }
        let sm3 = try await AuditEntryModel.query(on: context.application.db).filter(\.$hash =~ Digest.sm3Prefix).count()
        let kinds = sm3 == 0 ? "SHA-256" : sm3 == Int(checked) ? "SM3" : "\(Int(checked) - sm3) SHA-256, then \(sm3) SM3"
        context.console.print("audit chain intact: \(checked) entries verified (\(kinds))")
    }
}
