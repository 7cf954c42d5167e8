import Vapor

/// Every route, by feature. Each declares its roles through `endpoint(_:_:access:)`.
func routes(_ app: Application) throws {
    SystemController.register(app, application: app)
    PublicPages.register(app)
    AuthPages.register(app)
    OrgPages.register(app)
    PeoplePages.register(app)
    CalendarPages.register(app)
    AuditPages.register(app)
    ItemPages.register(app)
    BundlePages.kit.register(app)
    HallPages.register(app)
    QueuePages.register(app)
    HallAdminPages.register(app)
    HallManagePages.register(app)
    Open311Controller.register(app)
    CasePages.register(app)
    SupervisionPages.register(app)

    let api = app.grouped("api", "v1")
    AuthAPIController.register(api)
    OrgAPIController.register(api)
    CalendarAPIController.register(api)
    AuditAPIController.register(api)
    CatalogAPIController.register(api)
    QueueAPIController.register(api)
    QueueManageController.register(api)
    CaseAPIController.register(api)
    SupervisionAPIController.register(api)
    Authorisations.register(api)
    CaseTasks.register(api)
}
