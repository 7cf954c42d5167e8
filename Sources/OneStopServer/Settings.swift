import Foundation
import OneStopCore
import Vapor

/// All configuration, read once from the environment. A bad value stops start-up with a message
/// that names the variable and what is wrong with it.
public struct Settings: Sendable {
    public enum DatabaseKind: Sendable, Equatable {
        case sqlite(path: String)
        case sqliteMemory
        /// `schema`, when set, becomes the search path: several deployments (or test runs) can
        /// share one database, each in its own schema.
        case postgres(url: String, schema: String? = nil)

        public var isSQLite: Bool { if case .postgres = self { false } else { true } }
    }

    public var database: DatabaseKind
    public var host: String
    public var port: Int
    /// The seeded administrator's password; generated and printed when not set.
    public var adminPassword: String?
    public var sessionIdleMinutes: Int
    public var secureCookies: Bool
    public var lockout: LockoutPolicy
    public var apiTokenHours: Int
    /// bcrypt work factor; tests lower it, production keeps 12.
    public var bcryptCost: Int = 12
    /// Memory for rendered public pages of visitors without a session; 0 turns the cache off.
    public var pageCacheMB: Int = 128
    /// The address visitors reach OneStop at (`https://zwfw.example.gov.cn`), for links printed on
    /// paper such as the ticket's QR code; without it the request's own host is used.
    public var publicURL: String?
    /// Runs the clock this many days ahead, for training rooms and acceptance tests that need a
    /// deadline to pass (`ONESTOP_CLOCK_OFFSET_DAYS`); never set in a real hall.
    public var clockOffsetDays: Int = 0
    /// PostgreSQL connections for reads per event loop (the group commit has one of its own). The
    /// tests, which run dozens of servers at once against one PostgreSQL, use fewer.
    public var postgresReadersPerLoop: Int = 4
    /// Reads the page templates from disk on every render (`ONESTOP_RELOAD_TEMPLATES`), for someone
    /// editing them; otherwise each is read and parsed once.
    public var reloadTemplates = false
    /// Seeds four weeks of made-up hall history with the demo, so that the report, the forecast
    /// and the ratings have something to show; the tests, which count tickets, leave it out.
    public var demoHallHistory = true
    /// The file of the keys that seal personal data (`ONESTOP_DATA_KEY_FILE`, see `DataKeyring`).
    /// Without it the embedded database keeps its keys beside itself (`<database>.keys`).
    public var dataKeyFile: String?
    /// What one client address may do (`ONESTOP_THROTTLE_*`, "count/seconds" or "off"): sign-in
    /// attempts, failed case look-ups, and changes sent without signing in (public forms).
    public var throttle = Throttle()
    /// Scheduled backups of the embedded database (`ONESTOP_BACKUP_DIR`, `_HOURS`, `_KEEP`).
    public var backup: BackupPlan?
    /// The algorithms for personal data at rest, its blind indexes and the audit chain
    /// (`ONESTOP_CRYPTO=standard|guomi`): AES-256-GCM, HMAC-SHA-256, SHA-256; or 国密 SM4, SM3.
    public var cryptoSuite = CryptoSuite.standard
    /// Working days a department has to rectify or explain a bad rating (`ONESTOP_BAD_RATING_DAYS`).
    public var badRatingLimitDays = BadRatingCase.defaultLimit
    /// Work orders' time limits (`ONESTOP_WORK_ORDER_LIMITS`, e.g. `emergency=2h,general=5d,sign=1h`:
    /// hours run on the clock, days are working days on the center's calendar).
    public var workOrderLimits = WorkOrderLimits()
    /// Who must sign in with a second factor (`ONESTOP_TWO_FACTOR=required|optional`).
    public var twoFactor = TwoFactorPolicy()
    /// Days the personal data of a closed case is kept after it closed (`ONESTOP_RETENTION_DAYS`,
    /// "off" keeps it): after that the applicant's name, numbers and address are erased from the
    /// case and it is marked anonymised. nil keeps everything.
    public var personalDataRetentionDays: Int?

    public struct BackupPlan: Sendable, Equatable {
        public var directory: String
        public var hours: Int = 24
        public var keep: Int = 7
    }

    public struct Throttle: Sendable, Equatable {
        public var signIn: Rate? = Rate(count: 30, seconds: 600)
        public var tracking: Rate? = Rate(count: 30, seconds: 3600)
        public var forms: Rate? = Rate(count: 60, seconds: 600)
        /// One-time codes asked for by a survey's voters (the brands' and the star ratings'): a
        /// survey that goes viral is voted on from shared addresses (offices, mobile networks), so
        /// it has its own, higher allowance; the votes themselves carry the code and are not
        /// limited by address (the burst rule flags them instead).
        public var surveys: Rate? = Rate(count: 600, seconds: 600)
    }

    public struct Rate: Sendable, Equatable {
        public var count: Int
        public var seconds: Int
    }

    public init(
        database: DatabaseKind = .sqlite(path: "data/onestop.sqlite"), host: String = "127.0.0.1", port: Int = 8080,
        adminPassword: String? = nil, sessionIdleMinutes: Int = 30, secureCookies: Bool = false,
        lockout: LockoutPolicy = .init(), apiTokenHours: Int = 12
    ) {
        self.database = database
        self.host = host
        self.port = port
        self.adminPassword = adminPassword
        self.sessionIdleMinutes = sessionIdleMinutes
        self.secureCookies = secureCookies
        self.lockout = lockout
        self.apiTokenHours = apiTokenHours
    }

    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var variable: String
        public var message: String
        public var description: String { "\(variable): \(message)" }
    }

    public static func fromEnvironment(
        _ env: [String: String] = ProcessInfo.processInfo.environment
    ) throws(Problem)
        -> Settings
    {
        var s = Settings()
        func value(_ name: String) -> String? {
            guard let v = env[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) throws(Problem) -> Int? {
            guard let raw = value(name) else { return nil }
            guard let n = Int(raw), range.contains(n) else {
                throw Problem(
                    variable: name,
                    message: "must be a whole number from \(range.lowerBound) to \(range.upperBound) (got \"\(raw)\")")
            }
            return n
        }
        if let url = value("ONESTOP_DATABASE_URL") {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                guard URL(string: url)?.host != nil else {
                    throw Problem(variable: "ONESTOP_DATABASE_URL", message: "is not a valid postgres:// URL")
                }
                var schema: String? = nil
                if let raw = value("ONESTOP_DATABASE_SCHEMA") {
                    guard raw.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }), raw.count <= 63 else {
                        throw Problem(variable: "ONESTOP_DATABASE_SCHEMA", message: "must be lower-case letters, digits and _ (at most 63)")
                    }
                    schema = raw
                }
                s.database = .postgres(url: url, schema: schema)
            } else if url == "sqlite::memory:" {
                s.database = .sqliteMemory
            } else if url.hasPrefix("sqlite://") {
                let path = String(url.dropFirst("sqlite://".count))
                guard !path.isEmpty else {
                    throw Problem(variable: "ONESTOP_DATABASE_URL", message: "sqlite:// needs a file path")
                }
                s.database = .sqlite(path: path)
            } else {
                throw Problem(
                    variable: "ONESTOP_DATABASE_URL",
                    message: "must start with postgres://, postgresql:// or sqlite:// (or be sqlite::memory:)")
            }
        }
        if let file = value("ONESTOP_DATA_KEY_FILE") { s.dataKeyFile = file }
        if let host = value("ONESTOP_HOST") { s.host = host }
        if let port = try integer("ONESTOP_PORT", 1...65535) { s.port = port }
        if let pw = env["ONESTOP_ADMIN_PASSWORD"], !pw.isEmpty {
            let problems = PasswordPolicy.problems(pw)
            guard problems.isEmpty else {
                throw Problem(
                    variable: "ONESTOP_ADMIN_PASSWORD",
                    message: "must be at least \(PasswordPolicy.minimumLength) characters with letters and digits")
            }
            s.adminPassword = pw
        }
        if let m = try integer("ONESTOP_SESSION_IDLE_MINUTES", 1...1440) { s.sessionIdleMinutes = m }
        if let raw = value("ONESTOP_DEMO_HALL_HISTORY") {
            switch raw.lowercased() {
            case "1", "true", "yes": s.demoHallHistory = true
            case "0", "false", "no": s.demoHallHistory = false
            default: throw Problem(variable: "ONESTOP_DEMO_HALL_HISTORY", message: "must be true or false (got \"\(raw)\")")
            }
        }
        if let raw = value("ONESTOP_SECURE_COOKIES") {
            switch raw.lowercased() {
            case "1", "true", "yes": s.secureCookies = true
            case "0", "false", "no": s.secureCookies = false
            default: throw Problem(variable: "ONESTOP_SECURE_COOKIES", message: "must be true or false (got \"\(raw)\")")
            }
        }
        if let n = try integer("ONESTOP_LOCKOUT_FAILURES", 1...100) { s.lockout.maxFailures = n }
        if let m = try integer("ONESTOP_LOCKOUT_MINUTES", 1...1440) { s.lockout.lockSeconds = Double(m * 60) }
        if let h = try integer("ONESTOP_API_TOKEN_HOURS", 1...720) { s.apiTokenHours = h }
        func rate(_ name: String, _ current: Rate?) throws(Problem) -> Rate? {
            guard let raw = value(name) else { return current }
            if raw.lowercased() == "off" { return nil }
            let parts = raw.split(separator: "/")
            guard parts.count == 2, let n = Int(parts[0]), let t = Int(parts[1]), (1...100_000).contains(n), (1...86_400).contains(t)
            else {
                throw Problem(variable: name, message: "must be count/seconds such as 30/600, or off (got \"\(raw)\")")
            }
            return Rate(count: n, seconds: t)
        }
        s.throttle.signIn = try rate("ONESTOP_THROTTLE_SIGNIN", s.throttle.signIn)
        s.throttle.tracking = try rate("ONESTOP_THROTTLE_TRACKING", s.throttle.tracking)
        s.throttle.forms = try rate("ONESTOP_THROTTLE_FORMS", s.throttle.forms)
        s.throttle.surveys = try rate("ONESTOP_THROTTLE_SURVEYS", s.throttle.surveys)
        if let dir = value("ONESTOP_BACKUP_DIR") {
            guard s.database.isSQLite else {
                throw Problem(
                    variable: "ONESTOP_BACKUP_DIR",
                    message: "is for the embedded SQLite database; back PostgreSQL up with pg_dump or base backups and WAL archiving")
            }
            var plan = BackupPlan(directory: dir)
            if let h = try integer("ONESTOP_BACKUP_HOURS", 1...720) { plan.hours = h }
            if let k = try integer("ONESTOP_BACKUP_KEEP", 1...1000) { plan.keep = k }
            s.backup = plan
        }
        if let d = try integer("ONESTOP_BAD_RATING_DAYS", 1...60) { s.badRatingLimitDays = d }
        if let raw = value("ONESTOP_WORK_ORDER_LIMITS") {
            switch WorkOrderLimits.parse(raw) {
            case .success(let l): s.workOrderLimits = l
            case .failure(let e):
                throw Problem(
                    variable: "ONESTOP_WORK_ORDER_LIMITS",
                    message:
                        "\"\(e.part)\" is not name=<hours>h or name=<working days>d; names: \(WorkOrderLimits.fields.joined(separator: ", "))"
                )
            }
        }
        if let raw = value("ONESTOP_CRYPTO") {
            guard let suite = CryptoSuite(rawValue: raw.lowercased()) else {
                throw Problem(variable: "ONESTOP_CRYPTO", message: "must be standard or guomi (got \"\(raw)\")")
            }
            s.cryptoSuite = suite
        }
        if let raw = value("ONESTOP_TWO_FACTOR") {
            guard let mode = TwoFactorPolicy.Mode(rawValue: raw.lowercased()) else {
                throw Problem(variable: "ONESTOP_TWO_FACTOR", message: "must be required or optional (got \"\(raw)\")")
            }
            s.twoFactor.mode = mode
        }
        if let raw = value("ONESTOP_RETENTION_DAYS"), raw.lowercased() == "off" {
            s.personalDataRetentionDays = nil
        } else if let d = try integer("ONESTOP_RETENTION_DAYS", 30...36_500) {
            s.personalDataRetentionDays = d
        }
        if let mb = try integer("ONESTOP_PAGE_CACHE_MB", 0...4096) { s.pageCacheMB = mb }
        if let d = try integer("ONESTOP_CLOCK_OFFSET_DAYS", 0...3650) { s.clockOffsetDays = d }
        if let raw = value("ONESTOP_RELOAD_TEMPLATES") {
            switch raw.lowercased() {
            case "1", "true", "yes": s.reloadTemplates = true
            case "0", "false", "no": s.reloadTemplates = false
            default: throw Problem(variable: "ONESTOP_RELOAD_TEMPLATES", message: "must be true or false (got \"\(raw)\")")
            }
        }
        if let url = value("ONESTOP_PUBLIC_URL") {
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else {
                throw Problem(variable: "ONESTOP_PUBLIC_URL", message: "must be an http:// or https:// address")
            }
            s.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        return s
    }
}

extension Application {
    private struct SettingsKey: StorageKey { typealias Value = Settings }

    public var settings: Settings {
        get { storage[SettingsKey.self] ?? Settings() }
        set { storage[SettingsKey.self] = newValue }
    }
}
