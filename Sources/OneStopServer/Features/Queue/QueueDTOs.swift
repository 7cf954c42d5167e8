import Foundation
import OneStopCore
import Vapor

struct TicketDTO: Content {
    var id: UUID
    var number: String
    var groupID: UUID
    var groupPrefix: String
    var groupName: String
    var ticketClass: String
    var state: String
    var source: String
    var issuedAt: Date
    var calledAt: Date?
    var windowNumber: Int?
    var windowName: String?
    var ahead: Int?
    var estimatedWaitMinutes: Int?
    var calls: Int
    var skips: Int
    var rated: Bool
    /// The secret to follow the ticket from a phone: given to whoever issued it and to staff.
    var followToken: String?
    var followURL: String?

    init(_ t: TicketModel, hall: HallConfig, position: TicketPosition.Position? = nil, showToken: Bool) {
        let g = hall.group(t.groupID)
        let w = t.windowID.flatMap(hall.window)
        id = t.id!
        number = t.number
        groupID = t.groupID
        groupPrefix = g?.prefix ?? ""
        groupName = g?.name ?? ""
        ticketClass = t.ticketClass
        state = t.state
        source = t.source
        issuedAt = Date(timeIntervalSince1970: Double(t.issuedAt) / 1000)
        calledAt = t.calledAt.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        windowNumber = w?.number
        windowName = w?.name
        ahead = position?.ahead
        estimatedWaitMinutes = position.map { Int((Double($0.estimatedWaitSeconds) / 60).rounded(.up)) }
        calls = t.calls
        skips = t.skips
        rated = t.rated
        followToken = showToken ? t.followToken : nil
        followURL = showToken ? "/t/\(t.followToken)" : nil
    }
}

struct IssueTicketInput: Content {
    var center: String?
    var group: String?
    var ticketClass: String?
}

struct TransferInput: Content {
    var window: UUID?
    var group: UUID?
    var returnHere: Bool?
}

struct WindowActionInput: Content {
    var window: UUID?
}

struct CallResult: Content {
    /// Nil when nobody waits for the window's groups.
    var ticket: TicketDTO?
}

struct WindowStateDTO: Content {
    var windowID: UUID
    var number: Int
    var name: String
    var signedIn: Bool
    var staffName: String?
    var paused: Bool
    var current: TicketDTO?
    var groups: [String]
}

struct QueueStatusDTO: Content {
    struct Group: Content {
        var id: UUID
        var prefix: String
        var name: String
        var waiting: Int
        var serving: Int
        var openWindows: Int
        var longestWaitSeconds: Int
        var takesAppointments: Bool
    }

    struct Window: Content {
        var id: UUID
        var number: Int
        var name: String
        var open: Bool
        var paused: Bool
        var current: String?
        var currentState: String?
    }

    struct Call: Content {
        var number: String
        var window: Int
        var windowName: String
        var at: Date
        var callID: String
    }

    var centerCode: String
    var centerName: String
    var openToday: Bool
    var notice: String
    var groups: [Group]
    var windows: [Window]
    var lastCalls: [Call]
    var waiting: Int
    var serving: Int
    var noShowsToday: Int
    var longestWaitSeconds: Int
    var ratingTimeout: Int
    var waitTargetMinutes: Int
    /// A group with people waiting and no window open (`noOpenWindow`), or waiting past the
    /// target (`overTarget`).
    var alerts: [Alert]

    struct Alert: Content {
        var kind: String
        var group: String
        var waiting: Int?
        var waitedSeconds: Int?
    }
}

struct RatingDTO: Content {
    var id: UUID
    var ticketID: UUID?
    var level: Int?
    var tags: [String]
    var text: String
    var channel: String
    var at: Date

    init(_ r: RatingModel) {
        id = r.id!
        ticketID = r.ticketID
        level = r.level
        tags = r.tags.split(separator: ",").map(String.init)
        text = r.text
        channel = r.channel
        at = Date(timeIntervalSince1970: Double(r.at) / 1000)
    }
}

struct AppointmentDTO: Content {
    var id: UUID
    var code: String
    var groupID: UUID
    var groupName: String
    var date: String
    var slot: String
    var name: String
    var idNumberMasked: String
    var phoneMasked: String
    var state: String
    var ticket: TicketDTO?
    /// A slot of extended hours (延时服务), and who is assigned to serve it.
    var extended: Bool
    var staffID: UUID?
    var staffName: String?

    init(_ a: AppointmentModel, hall: HallConfig, ticket: TicketDTO? = nil, staffName: String? = nil) {
        id = a.id!
        code = a.code
        groupID = a.groupID
        groupName = hall.group(a.groupID)?.name ?? ""
        date = a.day
        slot = SlotPlan.clock(a.slotStart) + "-" + SlotPlan.clock(a.slotEnd)
        name = a.name
        idNumberMasked = a.idMasked
        phoneMasked = PhoneNumber.masked(a.phone)
        state = a.state
        self.ticket = ticket
        extended = a.extended
        staffID = a.staffID
        self.staffName = staffName
    }
}

struct SlotsDTO: Content {
    var group: UUID
    var date: String
    var open: Bool
    var slots: [AppointmentService.SlotInfo]
}
