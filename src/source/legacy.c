/* legacy.c - the legacy source contract (data-model.md §1-§2).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "legacy.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* Shorthands for the column table below: name, kind, nullable, … */
#define ID_TEXT(n) {n, COL_ID_TEXT, false, NULL, NULL, NULL}
#define ID_UUID(n) {n, COL_ID_UUID, false, NULL, NULL, NULL}
#define TEXT(n, null) {n, COL_TEXT, null, NULL, NULL, NULL}
#define TEXTD(n, dflt) {n, COL_TEXT, false, NULL, NULL, dflt}
#define TEXT_MAX(n) {n, COL_TEXT_MAX, true, NULL, NULL, NULL}
#define ENUM(n, null, type, dflt) {n, COL_ENUM, null, NULL, type, dflt}
#define DT(n, null) {n, COL_DATETIME, null, NULL, NULL, NULL}
#define BIT(n, dflt) {n, COL_BIT, false, NULL, NULL, dflt}
#define INT(n) {n, COL_INT, true, NULL, NULL, NULL}
#define FLOAT(n) {n, COL_FLOAT, true, NULL, NULL, NULL}
#define DEC(n, null) {n, COL_DECIMAL, null, NULL, NULL, NULL}
#define FK_TEXT(n, null, ref) {n, COL_FK_TEXT, null, ref, NULL, NULL}
#define FK_UUID(n, null, ref) {n, COL_FK_UUID, null, ref, NULL, NULL}
#define STAMPS DT("createdAt", false), DT("updatedAt", false)

static const struct legacy_column user_cols[] = {
    ID_TEXT("id"), TEXT("name", true), TEXT("email", false), DT("emailVerified", true),
    TEXT("image", true), TEXT("password", true), TEXTD("role", "user"), BIT("isActive", "1"),
    DT("lastLoginAt", true), TEXT("resetToken", true), DT("resetTokenExpiry", true), STAMPS,
};
static const struct legacy_column account_cols[] = {
    ID_TEXT("id"), FK_TEXT("userId", false, "User"), TEXT("type", false),
    TEXT("provider", false), TEXT("providerAccountId", false), TEXT_MAX("refresh_token"),
    TEXT_MAX("access_token"), INT("expires_at"), TEXT("token_type", true), TEXT("scope", true),
    TEXT_MAX("id_token"), TEXT("session_state", true), STAMPS,
};
static const struct legacy_column session_cols[] = {
    ID_TEXT("id"), TEXT("sessionToken", false), FK_TEXT("userId", false, "User"),
    DT("expires", false),
};
static const struct legacy_column vtoken_cols[] = {
    TEXT("identifier", false), TEXT("token", false), DT("expires", false),
};
static const struct legacy_column org_cols[] = {
    ID_UUID("id"), TEXT("name", false),
    ENUM("priority", false, "OrganizationPriority", NULL),
    ENUM("segment", false, "OrganizationSegment", NULL),
    ENUM("type", false, "OrganizationType", "PROSPECT"),
    TEXT("address", true), TEXT("city", true), TEXT("state", true), TEXT("zipCode", true),
    TEXT("phone", true), TEXT("email", true), TEXT("website", true), TEXT_MAX("notes"),
    FLOAT("estimatedRevenue"), INT("employeeCount"), TEXT("primaryContact", true),
    DT("lastContactDate", true), DT("nextFollowUpDate", true),
    ENUM("status", false, "OrganizationStatus", "ACTIVE"), STAMPS,
};
static const struct legacy_column contact_cols[] = {
    ID_UUID("id"), TEXT("firstName", false), TEXT("lastName", false), TEXT("email", true),
    TEXT("phone", true), TEXT("position", true), BIT("isPrimary", "0"), TEXT_MAX("notes"),
    FK_UUID("organizationId", false, "Organization"), STAMPS,
};
static const struct legacy_column interaction_cols[] = {
    ID_UUID("id"), ENUM("type", false, "InteractionType", NULL), TEXT("subject", false),
    TEXT_MAX("description"), DT("date", false), INT("duration"),
    ENUM("outcome", true, "InteractionOutcome", NULL), TEXT("nextAction", true),
    FK_UUID("organizationId", false, "Organization"), FK_UUID("contactId", true, "Contact"),
    FK_TEXT("userId", true, "User"), STAMPS,
};
static const struct legacy_column opportunity_cols[] = {
    ID_UUID("id"), TEXT("name", false), FK_UUID("organizationId", false, "Organization"),
    FK_UUID("contactId", true, "Contact"), ENUM("stage", false, "OpportunityStage", NULL),
    DEC("value", true), INT("probability"), DT("expectedCloseDate", true), TEXT_MAX("notes"),
    BIT("isActive", "1"), STAMPS,
};
static const struct legacy_column lead_cols[] = {
    ID_UUID("id"), TEXT("companyName", false), TEXT("contactName", true), TEXT("email", true),
    TEXT("phone", true), ENUM("source", false, "LeadSource", NULL),
    ENUM("status", false, "LeadStatus", NULL), INT("score"), TEXT_MAX("notes"),
    FK_UUID("organizationId", true, "Organization"), FK_TEXT("assignedToId", true, "User"),
    STAMPS,
};
static const struct legacy_column contract_cols[] = {
    ID_UUID("id"), TEXT("contractNumber", false), TEXT("title", true),
    FK_UUID("organizationId", false, "Organization"), FK_UUID("contactId", true, "Contact"),
    FK_UUID("opportunityId", true, "Opportunity"), ENUM("status", false, "ContractStatus", NULL),
    DT("startDate", false), DT("endDate", true), DEC("value", false), TEXT_MAX("terms"),
    DT("signedAt", true), STAMPS,
};

static const struct legacy_table tables[] = {
    {"User", user_cols, N(user_cols), "id", false},
    {"Account", account_cols, N(account_cols), "id", false},
    {"Session", session_cols, N(session_cols), "id", false},
    {"VerificationToken", vtoken_cols, N(vtoken_cols), "token", false},
    {"Organization", org_cols, N(org_cols), "id", true},
    {"Contact", contact_cols, N(contact_cols), "id", true},
    {"Interaction", interaction_cols, N(interaction_cols), "id", true},
    {"Opportunity", opportunity_cols, N(opportunity_cols), "id", true},
    {"Lead", lead_cols, N(lead_cols), "id", true},
    {"Contract", contract_cols, N(contract_cols), "id", true},
};

const struct legacy_table *legacy_tables(size_t *n)
{
    *n = N(tables);
    return tables;
}

const struct legacy_table *legacy_table(const char *name)
{
    for (size_t i = 0; i < N(tables); i++)
        if (strcmp(tables[i].name, name) == 0)
            return &tables[i];
    return NULL;
}

int legacy_column_index(const struct legacy_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

const struct legacy_column *legacy_column(const struct legacy_table *t, const char *name)
{
    int i = legacy_column_index(t, name);
    return i < 0 ? NULL : &t->cols[i];
}

const char *legacy_mssql_type(const struct legacy_column *c)
{
    switch (c->kind) {
    case COL_TEXT_MAX: return "NVARCHAR(MAX)";
    case COL_DATETIME: return "DATETIME2";
    case COL_BIT: return "BIT";
    case COL_INT: return "INT";
    case COL_FLOAT: return "FLOAT";
    case COL_DECIMAL: return "DECIMAL(14,2)";
    default: return "NVARCHAR(1000)";
    }
}

static const char *const priority[] = {"A", "B", "C", "D"};
static const char *const segment[] = {"FINE_DINING", "FAST_FOOD", "CASUAL_DINING", "CATERING",
                                      "INSTITUTIONAL", "HEALTHCARE", "EDUCATION", "CORPORATE"};
static const char *const org_type[] = {"PROSPECT", "CUSTOMER", "INACTIVE"};
static const char *const org_status[] = {"ACTIVE", "INACTIVE", "LEAD"};
static const char *const inter_type[] = {"CALL", "EMAIL", "MEETING", "VISIT", "SAMPLE_DELIVERY",
                                         "TASTING", "FOLLOW_UP", "OTHER"};
static const char *const outcome[] = {"POSITIVE", "NEUTRAL", "NEGATIVE", "FOLLOW_UP_NEEDED"};
static const char *const stage[] = {"PROSPECTING", "QUALIFICATION", "PROPOSAL", "NEGOTIATION",
                                    "CLOSED_WON", "CLOSED_LOST"};
static const char *const lead_source[] = {"WEBSITE", "REFERRAL", "TRADE_SHOW", "COLD_CALL",
                                          "SOCIAL_MEDIA", "OTHER"};
static const char *const lead_status[] = {"NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "LOST"};
static const char *const contract_status[] = {"DRAFT", "PENDING", "ACTIVE", "EXPIRED",
                                              "TERMINATED"};

static const struct {
    const char *type;
    const char *const *labels;
    size_t n;
} enums[] = {
    {"OrganizationPriority", priority, N(priority)},
    {"OrganizationSegment", segment, N(segment)},
    {"OrganizationType", org_type, N(org_type)},
    {"OrganizationStatus", org_status, N(org_status)},
    {"InteractionType", inter_type, N(inter_type)},
    {"InteractionOutcome", outcome, N(outcome)},
    {"OpportunityStage", stage, N(stage)},
    {"LeadSource", lead_source, N(lead_source)},
    {"LeadStatus", lead_status, N(lead_status)},
    {"ContractStatus", contract_status, N(contract_status)},
};

const char *const *legacy_enum_labels(const char *enum_type, size_t *n)
{
    for (size_t i = 0; i < N(enums); i++)
        if (strcmp(enums[i].type, enum_type) == 0) {
            *n = enums[i].n;
            return enums[i].labels;
        }
    *n = 0;
    return NULL;
}

static const struct legacy_unique unique_keys[] = {
    {"User", {"email", NULL}},
    {"Account", {"provider", "providerAccountId"}},
    {"Session", {"sessionToken", NULL}},
    {"VerificationToken", {"token", NULL}},
    {"VerificationToken", {"identifier", "token"}},
    {"Contract", {"contractNumber", NULL}},
};

const struct legacy_unique *legacy_unique_keys(size_t *n)
{
    *n = sizeof unique_keys / sizeof unique_keys[0];
    return unique_keys;
}
