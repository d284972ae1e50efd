"""Imports every feature's models so SQLAlchemy and Alembic see the whole schema."""

from community.audit.models import AuditEntry
from community.auth.models import ApiToken, User, UserRole, UserSession
from community.chat.models import Conversation, ConversationMember, Message, MessageReport
from community.comments.models import Comment
from community.connections.models import Block, Connection
from community.events.models import (
    CalendarFeed,
    Event,
    EventCheckin,
    EventQuestion,
    EventReminder,
    EventStaff,
    Rsvp,
    RsvpAnswer,
)
from community.gigs.models import (
    Gig,
    GigApplication,
    GigCountry,
    GigFeedback,
    GigLanguage,
    GigReference,
    GigReport,
    GigSkill,
)
from community.groups.models import Group, GroupMembership
from community.learning.models import (
    LearningItem,
    LearningPlanEntry,
    LearningPlanSettings,
    LearningReminder,
    LearningSkill,
)
from community.mail.models import OutboxMail
from community.mentoring.models import (
    ApplicationAnswer,
    ApplicationAvoid,
    ApplicationLanguage,
    ApplicationTag,
    MentorFeedback,
    MentoringApplication,
    MentoringOutcome,
    Pair,
    PairFitAnswer,
    PairGoal,
    PairMeeting,
    Programme,
    ProgrammeQuestion,
    Proposal,
    ProposalPair,
)
from community.notifications.email_models import ChatMailState, DigestState, NotificationSetting
from community.notifications.models import Notification
from community.posts.models import MatchNotice, Post, PostHelpful, PostTag
from community.presence.models import MemberPresence
from community.profiles.models import Profile, ProfileLanguage, ProfileLookingFor, ProfileTag, Tag

__all__ = [
    "ApiToken",
    "ApplicationAnswer",
    "ApplicationAvoid",
    "ApplicationLanguage",
    "ApplicationTag",
    "AuditEntry",
    "Block",
    "CalendarFeed",
    "ChatMailState",
    "Comment",
    "Connection",
    "Conversation",
    "ConversationMember",
    "DigestState",
    "Event",
    "EventCheckin",
    "EventQuestion",
    "EventReminder",
    "EventStaff",
    "Gig",
    "GigApplication",
    "GigCountry",
    "GigFeedback",
    "GigLanguage",
    "GigReference",
    "GigReport",
    "GigSkill",
    "Group",
    "GroupMembership",
    "LearningItem",
    "LearningPlanEntry",
    "LearningPlanSettings",
    "LearningReminder",
    "LearningSkill",
    "MatchNotice",
    "MemberPresence",
    "MentorFeedback",
    "MentoringApplication",
    "MentoringOutcome",
    "Message",
    "MessageReport",
    "Notification",
    "NotificationSetting",
    "OutboxMail",
    "Pair",
    "PairFitAnswer",
    "PairGoal",
    "PairMeeting",
    "Post",
    "PostHelpful",
    "PostTag",
    "Profile",
    "ProfileLanguage",
    "ProfileLookingFor",
    "ProfileTag",
    "Programme",
    "ProgrammeQuestion",
    "Proposal",
    "ProposalPair",
    "Rsvp",
    "RsvpAnswer",
    "Tag",
    "User",
    "UserRole",
    "UserSession",
]
