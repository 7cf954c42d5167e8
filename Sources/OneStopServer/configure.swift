import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import OneStopCore
import SQLKit
import Vapor

/// Builds the application from settings: storage, sessions, views, middleware, routes, commands.
public func configure(_ app: Application, settings: Settings) async throws {
    app.settings = settings
    if settings.cryptoSuite == .guomi, let missing = GuoMi.unavailable {
        throw Settings.Problem(variable: "ONESTOP_CRYPTO", message: "guomi needs SM3 and SM4 from OpenSSL 3: \(missing)")
    }
    var keys = try DataKeys.load(settings, testing: app.environment == .testing)
    keys.suite = settings.cryptoSuite
    PersonalData.use(keys)
    Digest.suite = settings.cryptoSuite
    if settings.clockOffsetDays > 0 {
        let offset = Double(settings.clockOffsetDays) * 86400
        app.clock = AppClock(now: { Date().addingTimeInterval(offset) })
        app.logger.warning("the clock runs \(settings.clockOffsetDays) days ahead (ONESTOP_CLOCK_OFFSET_DAYS)")
    }
    app.http.server.configuration.hostname = settings.host
    app.http.server.configuration.port = settings.port

    /// The group commit's connections, on its own lane (see `CommitLane`).
    var writer: CommitLane.Writer?
    /// The background jobs' readers (see `BackgroundReaders`).
    var background: DatabaseConfigurationFactory?
    switch settings.database {
    case .sqlite(let path):
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
        writer = .sqlite(path: path)
        background = .sqlite(.file(path), sqlLogLevel: .trace)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, sqlLogLevel: .trace), as: .sqlite)
    case .postgres(let url, let schema):
        var config = try SQLPostgresConfiguration(url: url)
        if let schema { config.searchPath = [schema] }
        // Four connections per event loop (the driver's default is one): a request's reads then wait
        // for a connection less often while others read (the hall benchmark's ticket-taking and
        // rating, which read beside the group commit, waited there).
        app.databases.use(
            .postgres(configuration: config, maxConnectionsPerEventLoop: settings.postgresReadersPerLoop, sqlLogLevel: .trace), as: .psql)
        writer = .other(.postgres(configuration: config, maxConnectionsPerEventLoop: 1, sqlLogLevel: .trace))
        background = .postgres(configuration: config, maxConnectionsPerEventLoop: 1, sqlLogLevel: .trace)
        let bridge = PostgresBridge(
            configuration: config.coreConfiguration, channel: "onestop_hall_" + (schema ?? "public"), logger: app.logger)
        app.hub.attach(bridge)
        app.lifecycle.use(HubLifecycle(bridge: bridge))
    }
    app.writeGate = WriteGate(enabled: settings.database.isSQLite)
    let lane = CommitLane(writer: writer)
    app.lifecycle.use(CommitLaneLifecycle(lane: lane))
    let readers = BackgroundReaders(configuration: background)
    app.backgroundReaders = readers
    app.lifecycle.use(BackgroundReadersLifecycle(readers: readers))
    let logger = app.logger
    app.groupCommit = GroupCommit(gate: app.writeGate, lane: lane.executor, state: { HallBatch() }) {
        lane.database(logger: logger) { app.db }
    }
    app.tokenCache = TokenCache()
    app.caseNumbers = CaseNumbers()
    app.centerTrees = CenterTreeCache()
    app.lifecycle.use(HallSweeperLifecycle())
    app.lifecycle.use(SupervisionSweepLifecycle())
    app.lifecycle.use(OutboxWorkerLifecycle())
    app.lifecycle.use(CalendarRetimingLifecycle())
    app.lifecycle.use(HousekeepingLifecycle())
    app.lifecycle.use(WALCheckpointerLifecycle())
    // Made here, before any request or job can race to make them.
    _ = app.walCheckpointPauses
    _ = app.walWriterPages

    app.migrations.add(CreateOrganisation())
    app.migrations.add(CreateAccounts())
    app.migrations.add(CreateCalendar())
    app.migrations.add(CreateAuditLog())
    app.migrations.add(SessionRecord.migration)
    app.migrations.add(CreateStaffPhotos())
    app.migrations.add(CreateCatalog())
    app.migrations.add(CreateQueue())
    app.migrations.add(QueueGroupIndex())
    app.migrations.add(CreateCases())
    app.migrations.add(CreateSupervision())
    app.migrations.add(TaskSupervision())
    app.migrations.add(CaseFeeColumn())
    app.migrations.add(CaseStepDue())
    app.migrations.add(SupervisionQueue())
    app.migrations.add(CalendarYears())
    app.migrations.add(CaseDueCover())
    app.migrations.add(StaffWork())
    app.migrations.add(DutySeparationColumn())
    app.migrations.add(NoticeAuthorityColumns())
    app.migrations.add(ElectronicLicenceTable())
    app.migrations.add(SpecialHandlingColumns())
    app.migrations.add(CitizenAgencyColumns())
    app.migrations.add(RetimingGroupsTable())
    app.migrations.add(SealPersonalData())
    app.migrations.add(SessionHousekeeping())
    app.migrations.add(TwoFactor())
    app.migrations.add(Retention())
    app.migrations.add(BadRatings())
    app.migrations.add(RatingTallies())
    app.migrations.add(RatingSupervision())
    app.migrations.add(WorkOrders())
    app.migrations.add(PhonesAndOpen311())
    app.migrations.add(WorkOrderWorklist())
    app.migrations.add(IndicatorTallies())
    app.migrations.add(Assessments())
    app.migrations.add(Awards())
    app.migrations.add(Commitments())
    app.migrations.add(StarRatings())
    app.migrations.add(OutsideScores())
    app.migrations.add(DrillDownIndexes())
    app.migrations.add(Brands())
    app.migrations.add(BrandCampaigns())
    app.migrations.add(BrandWork())
    app.migrations.add(BrandSurveyRounds())
    app.migrations.add(CenterDuty())
    app.migrations.add(CenterStaff())
    app.migrations.add(CenterConduct())
    app.migrations.add(HallRulesMigration())
    app.migrations.add(Admissions())
    app.migrations.add(HomeVisits())
    app.migrations.add(WorkOrderPhrase())
    app.migrations.add(ExtendedHours())
    _ = app.catalogStore
    _ = app.intakeMirror
    _ = app.walCheckpointPauses
    _ = app.thresholdCache
    app.publicPages = PublicPageCache(budget: settings.pageCacheMB << 20)

    app.passwords.use(.bcrypt(cost: settings.bcryptCost))
    app.sessions.use { _ in StoredSessions() }
    app.sessions.configuration.cookieName = "onestop_session"
    let idle = Double(settings.sessionIdleMinutes * 60)
    let secure = settings.secureCookies
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(
            string: id.string, expires: Date().addingTimeInterval(idle), path: "/", isSecure: secure,
            isHTTPOnly: true, sameSite: .lax)
    }

    // Forms with long texts (an item's guide) exceed Vapor's 16 KB default.
    app.routes.defaultMaxBodySize = "1mb"
    // Leaf's own provider turns its template cache off in the development environment, which is
    // where `onestop serve` runs unless told otherwise: every page and notice was read and lexed
    // afresh. This one is Leaf's provider with the cache decided by the settings.
    app.leaf.cache.isEnabled = !settings.reloadTemplates
    app.views.use { app in
        var info = app.leaf.userInfo
        info["application"] = app
        return LeafRenderer(
            configuration: app.leaf.configuration, tags: app.leaf.tags, cache: app.leaf.cache, sources: app.leaf.sources,
            eventLoop: app.eventLoopGroup.next(), userInfo: info)
    }
    app.leaf.tags["t"] = TranslateTag()
    app.catalog = try MessageCatalog(directory: app.directory.resourcesDirectory + "Locales")

    app.inFlight = InFlightRequests()
    app.middleware = Middlewares()
    app.middleware.use(InFlightMiddleware(requests: app.inFlight))
    app.middleware.use(MetricsMiddleware(registry: app.metricsRegistry))
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ErrorResponder())
    app.middleware.use(RequestLimitsMiddleware())
    app.middleware.use(StaticFilesMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(PrincipalMiddleware())
    app.middleware.use(CSRFMiddleware())

    try routes(app)
    registerCommands(app)
    // Last, so that it shuts down first (see `InFlightRequests`).
    app.lifecycle.use(InFlightLifecycle(requests: app.inFlight))
}

/// Run before serving: migrate, switch SQLite to WAL, seed the demo organisation on first start
/// and print how to sign in.
public func prepareForServing(_ app: Application) async throws {
    try await createSchemaIfNeeded(app)
    try await app.migrateWithDataKeys()
    try await enableWAL(app)
    if app.runsBackgroundJobs { try await WALCheckpointer.takeOver(app) }
    try await SQLiteStatistics.refresh(app)
    if let password = try await DemoData.seedIfEmpty(app) {
        print(
            """

            ┌────────────────────────────────────────────────────────────┐
              OneStop is ready: http://\(app.settings.host):\(app.settings.port)
              Sign in as: admin
              Password:   \(password)
            └────────────────────────────────────────────────────────────┘

            """)
    }
}

/// WAL lets readers run beside the one writer. SQLite's default synchronous=FULL then syncs the
/// log at every commit, so an acknowledged write survives a crash of the process or the machine.
func enableWAL(_ app: Application) async throws {
    guard case .sqlite = app.settings.database, let sql = app.db as? any SQLDatabase else { return }
    try await sql.raw("PRAGMA journal_mode=WAL").run()
}

/// With ONESTOP_DATABASE_SCHEMA set, the schema is made on first start.
func createSchemaIfNeeded(_ app: Application) async throws {
    guard case .postgres(_, let schema?) = app.settings.database, let sql = app.db as? any SQLDatabase else { return }
    try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
}
