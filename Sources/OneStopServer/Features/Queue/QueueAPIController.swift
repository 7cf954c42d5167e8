import Fluent
import Foundation
import OneStopCore
import Vapor

/// The hall over HTTP: tickets, the window console's actions, ratings, appointments and status.
enum QueueAPIController {
    static let checkInAccess = Access.only(.kiosk, .windowStaff, .chiefRepresentative, .centerAdmin)

    static func register(_ api: any RoutesBuilder) {
        registerTickets(api)
        registerWindows(api)
        registerAppointments(api)
    }

    static func registerTickets(_ api: any RoutesBuilder) {
        api.endpoint(
            .POST, "tickets", access: .public,
            operation: .init(
                id: "issueTicket",
                summary: "Take a ticket for a service group today (kiosk, phone); a priority class only from kiosks and hall staff",
                tag: "Queue", request: "IssueTicketInput", response: "Ticket", successStatus: 201)
        ) { req in
            let input = try req.decodeJSON(IssueTicketInput.self)
            let hall = try await QueueLookup.hall(input.center, req: req)
            let cls = try TicketIssue.permittedClass(input.ticketClass, principal: req.principal, hall: hall)
            let source: TicketIssue.Source =
                req.principal?.role == .kiosk ? .kiosk : (req.principal?.isStaff == true ? .staff : .phone)
            let t = try await TicketIssue.issue(
                hall: hall, groupID: input.group.flatMap(UUID.init(uuidString:)), prefix: input.group, ticketClass: cls, source: source,
                req: req)
            let position = try await TicketPosition.of(t, hall: hall, app: req.application, on: req.db)
            return try await OrgAPIController.created(TicketDTO(t, hall: hall, position: position, showToken: true), req)
        }
        api.endpoint(
            .GET, "tickets", "follow", ":token", access: .public,
            operation: .init(
                id: "getTicket", summary: "A ticket by the token in its QR code: state, people ahead, estimated wait", tag: "Queue",
                response: "Ticket")
        ) { req in
            let (t, hall) = try await QueueLookup.followed(req.parameters.get("token") ?? "", req: req)
            let position = try await TicketPosition.of(t, hall: hall, app: req.application, on: req.db)
            return TicketDTO(t, hall: hall, position: position, showToken: true)
        }
        let actions: [(TicketAction, String, String, String)] = [
            (.recall, "recall", "recallTicket", "Call the window's ticket again (重呼)"),
            (.skip, "skip", "skipTicket", "No-show (过号): back into the queue, or expired after the allowed number of skips"),
            (.call, "call", "callTicket", "Call a waiting ticket out of order to this window"),
            (.park, "park", "parkTicket", "Park the ticket being served (挂起); the window may call the next"),
            (.resume, "resume", "resumeTicket", "Resume a parked ticket at this window"),
            (.start, "start", "startService", "Start serving the called ticket"),
            (.finish, "finish", "finishService", "Finish the service; the evaluator then asks for a rating"),
        ]
        for (action, path, id, summary) in actions {
            api.endpoint(
                .POST, "tickets", ":id", .constant(path), access: WindowDesk.access,
                operation: .init(id: id, summary: summary, tag: "Queue", request: "WindowActionInput", response: "Ticket")
            ) { req in
                let input = try req.decodeJSON(WindowActionInput.self)
                guard let window = input.window else { throw ValidationFailure([FieldError("window", "required")]) }
                let r = try await TicketActions.act(action, ticket: req.uuid("id"), window: window, req: req)
                let hall = try await req.application.halls.config(for: r.ticket!.centerID, on: req.db)
                return TicketDTO(r.ticket!, hall: hall, showToken: false)
            }
        }
        api.endpoint(
            .POST, "tickets", ":id", "transfer", access: WindowDesk.access,
            operation: .init(
                id: "transferTicket", summary: "Transfer the visit to another group, optionally coming back to this window after",
                tag: "Queue", request: "TransferInput", response: "Ticket")
        ) { req in
            let input = try req.content.decode(TransferInput.self)
            var errors: [FieldError] = []
            if input.window == nil { errors.append(FieldError("window", "required")) }
            if input.group == nil { errors.append(FieldError("group", "required")) }
            guard errors.isEmpty, let window = input.window, let group = input.group else { throw ValidationFailure(errors) }
            let r = try await TicketActions.transfer(
                ticket: req.uuid("id"), window: window, to: group, returnHere: input.returnHere ?? false, req: req)
            let hall = try await req.application.halls.config(for: r.created!.centerID, on: req.db)
            return TicketDTO(r.created!, hall: hall, showToken: false)
        }
        api.endpoint(
            .POST, "tickets", ":id", "rating", access: .public,
            operation: .init(
                id: "rateVisit",
                summary:
                    "Rate a served ticket: the window's evaluator device, or the visitor with the ticket's token (one rating per ticket)",
                tag: "Queue", request: "RatingInput", response: "Rating", successStatus: 201)
        ) { req in
            let input = try req.decodeJSON(VisitRating.Input.self)
            let r = try await VisitRating.rate(ticket: req.uuid("id"), input: input, req: req)
            return try await OrgAPIController.created(RatingDTO(r), req)
        }
        api.endpoint(
            .GET, "centers", ":id", "queue", access: .public,
            operation: .init(
                id: "queueStatus", summary: "The hall now: waiting per group, windows, the last calls, no-shows today", tag: "Queue",
                response: "QueueStatus")
        ) { req in
            let hall = try await QueueLookup.hall(req.parameters.get("id"), req: req)
            return try await QueueQueries.status(hall: hall, req: req)
        }
    }

    static func registerWindows(_ api: any RoutesBuilder) {
        api.endpoint(
            .POST, "windows", ":id", "call-next", access: WindowDesk.access,
            operation: .init(
                id: "callNext", summary: "Call the next ticket for this window by its groups and the center's calling rule",
                tag: "Queue", response: "CallResult")
        ) { req in
            let id = try req.uuid("id")
            guard let t = try await TicketActions.callNext(window: id, req: req) else { return CallResult(ticket: nil) }
            let hall = try await req.application.halls.config(for: t.centerID, on: req.db)
            return CallResult(ticket: TicketDTO(t, hall: hall, showToken: false))
        }
        let desk: [(String, String, String)] = [
            ("sign-in", "signInWindow", "Sit at this window (leaving any other)"),
            ("sign-out", "signOutWindow", "Leave this window"),
            ("pause", "pauseWindow", "Pause the window: it calls no one"),
            ("resume", "resumeWindow", "Open the paused window again"),
        ]
        for (path, id, summary) in desk {
            api.endpoint(
                .POST, "windows", ":id", .constant(path), access: WindowDesk.access,
                operation: .init(id: id, summary: summary, tag: "Queue", response: "WindowDesk")
            ) { req in
                let windowID = try req.uuid("id")
                switch path {
                case "sign-in": _ = try await WindowDesk.signIn(windowID, req: req)
                case "sign-out": try await WindowDesk.signOut(windowID, req: req)
                case "pause": try await WindowDesk.setPaused(windowID, paused: true, req: req)
                default: try await WindowDesk.setPaused(windowID, paused: false, req: req)
                }
                let w = try await WindowDesk.window(windowID, req: req)
                let hall = try await req.application.halls.config(for: w.centerID, on: req.db)
                return try await QueueQueries.windowState(windowID, hall: hall, req: req)
            }
        }
        api.endpoint(
            .GET, "windows", ":id", "desk", access: WindowDesk.access,
            operation: .init(
                id: "getWindowDesk", summary: "Who sits at the window and the ticket it has", tag: "Queue", response: "WindowDesk")
        ) { req in
            let windowID = try req.uuid("id")
            let w = try await WindowDesk.window(windowID, req: req)
            let hall = try await req.application.halls.config(for: w.centerID, on: req.db)
            return try await QueueQueries.windowState(windowID, hall: hall, req: req)
        }
        api.endpoint(
            .GET, "windows", ":id", "queue", access: WindowDesk.access,
            operation: .init(
                id: "listWindowQueue", summary: "Tickets this window has parked, then those waiting for its groups (to call out of order)",
                tag: "Queue", response: "Ticket", responseIsList: true)
        ) { req in
            let windowID = try req.uuid("id")
            let w = try await WindowDesk.window(windowID, req: req)
            let hall = try await req.application.halls.config(for: w.centerID, on: req.db)
            let day = HallClock.day(req.now).description
            let groups = Set(hall.window(windowID)?.groups ?? [])
            let parked = try await QueueQueries.parked(window: windowID, day: day, on: req.db)
            let waiting = try await QueueQueries.waitingList(center: w.centerID, day: day, limit: 200, on: req.db)
                .filter { groups.contains($0.groupID) }.prefix(30)
            return (parked + waiting).map { TicketDTO($0, hall: hall, showToken: false) }
        }
        api.endpoint(
            .GET, "windows", ":id", "profile", access: .public,
            operation: .init(
                id: "getWindowScreen",
                summary: "What the screen above a window shows: the staff member signed in (public profile) and their stars",
                tag: "Queue", response: "WindowScreen")
        ) { req in
            try await WindowScreen.profile(req.uuid("id"), req: req)
        }
        api.endpoint(
            .GET, "windows", ":id", "evaluation", access: .only(.windowEvaluator),
            operation: .init(
                id: "pendingRating", summary: "The ticket this evaluator should ask about now, if any", tag: "Queue", response: "CallResult"
            )
        ) { req in
            let p = try req.requirePrincipal()
            let windowID = try req.uuid("id")
            guard p.windowID == windowID, let w = try await WindowModel.find(windowID, on: req.db) else { throw Abort(.forbidden) }
            let hall = try await req.application.halls.config(for: w.centerID, on: req.db)
            let t = try await VisitRating.pending(window: windowID, hall: hall, now: req.now, on: req.db)
            return CallResult(ticket: t.map { TicketDTO($0, hall: hall, showToken: false) })
        }
    }

    static func registerAppointments(_ api: any RoutesBuilder) {
        api.endpoint(
            .GET, "centers", ":id", "slots", access: .public,
            operation: .init(
                id: "listSlots", summary: "Appointment slots of a group on a day, with what is left", tag: "Queue", response: "Slots",
                query: [
                    .init(name: "group", type: "string", required: true, description: "group id or letter"),
                    .init(name: "date", type: "string", format: "date", required: true, description: "YYYY-MM-DD"),
                ])
        ) { req in
            let hall = try await QueueLookup.hall(req.parameters.get("id"), req: req)
            let raw = req.query[String.self, at: "group"]
            var errors: [FieldError] = []
            let group = raw.flatMap { UUID(uuidString: $0) }.flatMap(hall.group) ?? raw.flatMap(hall.group(prefix:))
            if group == nil { errors.append(FieldError("group", raw == nil ? "required" : "invalidReference")) }
            let date = CalendarAPIController.queryDate(req, "date", &errors)
            guard errors.isEmpty, let group, let date else { throw ValidationFailure(errors) }
            let (open, slots) = try await AppointmentService.slots(hall: hall, group: group, date: date, req: req)
            return SlotsDTO(group: group.id, date: date.description, open: open, slots: slots)
        }
        api.endpoint(
            .POST, "appointments", access: .public,
            operation: .init(
                id: "bookAppointment", summary: "Book a slot: one booking per person per group per day, on the center's working days",
                tag: "Queue", request: "BookInput", response: "Appointment", successStatus: 201)
        ) { req in
            let input = try req.content.decode(AppointmentService.BookInput.self)
            let hall = try await QueueLookup.hall(input.center, req: req)
            let a = try await AppointmentService.book(hall: hall, input: input, req: req)
            return try await OrgAPIController.created(AppointmentDTO(a, hall: hall), req)
        }
        api.endpoint(
            .POST, "appointments", ":code", "cancel", access: .public,
            operation: .init(
                id: "cancelAppointment", summary: "Cancel a booking with its code and the ID number it was made with", tag: "Queue",
                request: "CancelInput", response: "Appointment")
        ) { req in
            struct Input: Content { var idNumber: String? }
            let input = try req.content.decode(Input.self)
            let a = try await AppointmentService.cancel(code: req.parameters.get("code") ?? "", idNumber: input.idNumber, req: req)
            let hall = try await req.application.halls.config(for: a.centerID, on: req.db)
            return AppointmentDTO(a, hall: hall)
        }
        api.endpoint(
            .POST, "appointments", ":code", "check-in", access: checkInAccess,
            operation: .init(
                id: "checkIn", summary: "Check in at the hall: on time gives an appointment ticket, late an ordinary one", tag: "Queue",
                response: "Appointment")
        ) { req in
            let code = req.parameters.get("code") ?? ""
            guard let booking = try await AppointmentModel.query(on: req.db).filter(\.$code == code).first() else {
                throw ValidationFailure([FieldError("code", "queue.noSuchBooking")])
            }
            // A kiosk checks in for its own hall; staff for the halls of their scope.
            try await req.scope().require(booking.centerID)
            let hall = try await req.application.halls.config(for: booking.centerID, on: req.db)
            let (a, t) = try await AppointmentService.checkIn(code: code, hall: hall, req: req)
            let position = try await TicketPosition.of(t, hall: hall, app: req.application, on: req.db)
            return AppointmentDTO(a, hall: hall, ticket: TicketDTO(t, hall: hall, position: position, showToken: true))
        }
    }
}

/// Finding a hall by code (or id), and a ticket by its follow token.
enum QueueLookup {
    static func hall(_ raw: String?, req: Request) async throws -> HallConfig {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            throw ValidationFailure([FieldError("center", "required")])
        }
        let id: UUID?
        if let u = UUID(uuidString: raw) {
            id = u
        } else {
            id = try await req.application.halls.centerID(code: raw, on: req.db)
        }
        guard let id else { throw Abort(.notFound) }
        return try await req.application.halls.config(for: id, on: req.db)
    }

    static func followed(_ token: String, req: Request) async throws -> (TicketModel, HallConfig) {
        guard !token.isEmpty, token.count <= 64, let t = try await TicketModel.query(on: req.db).filter(\.$followToken == token).first()
        else { throw Abort(.notFound) }
        return (t, try await req.application.halls.config(for: t.centerID, on: req.db))
    }
}
