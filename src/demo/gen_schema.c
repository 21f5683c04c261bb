/* gen_schema.c - what the generator knows about the tables of the contract
 * (legacy.c): row counts by scale, what each column means, the UNIQUE keys,
 * enum weights, and the dirt of --messy with its rates and spellings.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "gen_private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * What the generator knows about the tables of the contract.
 * ------------------------------------------------------------------------ */


static const char *const tab_names[T_COUNT] = {
    "User", "Account", "Session", "VerificationToken", "Organization", "Contact", "Interaction",
    "Opportunity", "Lead", "Contract",
};

/* The proportions of data-model.md §1 at scale s. */
long gen_rows_of(enum tab t, long s)
{
    long users = s / 1000 > 50 ? s / 1000 : 50;
    switch (t) {
    case T_USER: return users;
    case T_ACCOUNT: return users;
    case T_SESSION: return 2 * users;
    case T_VTOKEN: return users / 10;
    case T_ORG: return s;
    case T_CONTACT: return 3 * s;
    case T_INTERACTION: return 10 * s;
    case T_OPP: return s;
    case T_LEAD: return s / 2;
    case T_CONTRACT: return 3 * s / 10;
    default: return 0;
    }
}

int gen_tab_of(const char *name)
{
    for (int t = 0; t < T_COUNT; t++)
        if (strcmp(tab_names[t], name) == 0)
            return t;
    return -1;
}

long gen_table_rows(const char *table, long scale)
{
    int t = gen_tab_of(table);
    return t < 0 ? -1 : gen_rows_of((enum tab)t, scale);
}




const struct field_map field_map[] = {
    {NULL, "id", F_ID, FL_CLEAN},
    {NULL, "createdAt", F_CREATED, 0},
    {NULL, "updatedAt", F_UPDATED, 0},
    {NULL, "organizationId", F_REF_ORG, 0},
    {NULL, "contactId", F_REF_CONTACT, 0},
    {NULL, "userId", F_REF_USER, 0},
    {NULL, "email", F_EMAIL, FL_EMAIL},
    {NULL, "phone", F_PHONE, 0},
    {NULL, "notes", F_NOTES, 0},
    {NULL, "isActive", F_ACTIVE, 0},
    {NULL, "expires", F_EXPIRES, 0},
    {"User", "name", F_FULL_NAME, 0},
    {"User", "emailVerified", F_USER_VERIFIED, 0},
    {"User", "image", F_USER_IMAGE, 0},
    {"User", "password", F_USER_PASSWORD, 0},
    {"User", "role", F_USER_ROLE, 0},
    {"User", "lastLoginAt", F_USER_LOGIN, 0},
    {"User", "resetToken", F_USER_RESET, 0},
    {"User", "resetTokenExpiry", F_USER_RESET_EXPIRY, 0},
    {"Account", "type", F_ACC_TYPE, 0},
    {"Account", "provider", F_ACC_PROVIDER, 0},
    {"Account", "providerAccountId", F_ACC_PID, 0},
    {"Account", "refresh_token", F_ACC_REFRESH, 0},
    {"Account", "access_token", F_ACC_ACCESS, 0},
    {"Account", "expires_at", F_ACC_EXPIRES_AT, 0},
    {"Account", "token_type", F_ACC_TOKEN_TYPE, 0},
    {"Account", "scope", F_ACC_SCOPE, 0},
    {"Account", "id_token", F_ACC_ID_TOKEN, 0},
    {"Account", "session_state", F_ACC_STATE, 0},
    {"Session", "sessionToken", F_SESSION_TOKEN, 0},
    {"VerificationToken", "identifier", F_VT_IDENTIFIER, 0},
    {"VerificationToken", "token", F_VT_TOKEN, 0},
    {"Organization", "name", F_ORG_NAME, FL_NAME},
    {"Organization", "segment", F_E_SEGMENT, 0},
    {"Organization", "address", F_ADDRESS, 0},
    {"Organization", "city", F_CITY, 0},
    {"Organization", "state", F_STATE, 0},
    {"Organization", "zipCode", F_ZIP, 0},
    {"Organization", "website", F_WEBSITE, 0},
    {"Organization", "estimatedRevenue", F_REVENUE, 0},
    {"Organization", "employeeCount", F_EMPLOYEES, 0},
    {"Organization", "primaryContact", F_PRIMARY_CONTACT, FL_NAME},
    {"Organization", "lastContactDate", F_LAST_CONTACT, 0},
    {"Organization", "nextFollowUpDate", F_NEXT_FOLLOW_UP, 0},
    {"Contact", "firstName", F_FIRST_NAME, FL_NAME},
    {"Contact", "lastName", F_LAST_NAME, FL_NAME},
    {"Contact", "position", F_POSITION, 0},
    {"Contact", "isPrimary", F_IS_PRIMARY, 0},
    {"Interaction", "type", F_E_MAIN, 0},
    {"Interaction", "subject", F_SUBJECT, FL_NAME},
    {"Interaction", "description", F_NOTES, 0},
    {"Interaction", "date", F_INT_DATE, 0},
    {"Interaction", "duration", F_DURATION, 0},
    {"Interaction", "nextAction", F_NEXT_ACTION, 0},
    {"Opportunity", "name", F_OPP_NAME, FL_NAME},
    {"Opportunity", "stage", F_E_MAIN, 0},
    {"Opportunity", "value", F_DEAL_VALUE, 0},
    {"Opportunity", "probability", F_PROBABILITY, 0},
    {"Opportunity", "expectedCloseDate", F_CLOSE_DATE, 0},
    {"Lead", "companyName", F_COMPANY_NAME, FL_NAME},
    {"Lead", "contactName", F_FULL_NAME, FL_NAME},
    {"Lead", "status", F_E_MAIN, 0},
    {"Lead", "score", F_SCORE, 0},
    {"Lead", "assignedToId", F_REF_USER, 0},
    {"Contract", "contractNumber", F_CONTRACT_NUMBER, FL_CLEAN},
    {"Contract", "title", F_CONTRACT_TITLE, FL_NAME},
    {"Contract", "opportunityId", F_REF_OPP, 0},
    {"Contract", "status", F_E_MAIN, 0},
    {"Contract", "startDate", F_START_DATE, 0},
    {"Contract", "endDate", F_END_DATE, 0},
    {"Contract", "value", F_DEAL_VALUE, 0},
    {"Contract", "terms", F_TERMS, 0},
    {"Contract", "signedAt", F_SIGNED_AT, 0},
};

/* The UNIQUE constraints of §1, named as Prisma names them. The primary
 * keys come from the contract (COL_ID_* columns). */
const struct unique_key unique_keys[] = {
    {"User", "User_email_key", {"email", NULL, NULL}},
    {"Account", "Account_provider_providerAccountId_key", {"provider", "providerAccountId", NULL}},
    {"Session", "Session_sessionToken_key", {"sessionToken", NULL, NULL}},
    {"VerificationToken", "VerificationToken_token_key", {"token", NULL, NULL}},
    {"VerificationToken", "VerificationToken_identifier_token_key", {"identifier", "token", NULL}},
    {"Contract", "Contract_contractNumber_key", {"contractNumber", NULL, NULL}},
};

/* Each row picks its labels with these weights (labels not listed: 1). */
const struct enum_weight enum_weights[] = {
    {"OrganizationPriority", "A", 15}, {"OrganizationPriority", "B", 30},
    {"OrganizationPriority", "C", 35}, {"OrganizationPriority", "D", 20},
    {"OrganizationSegment", "FINE_DINING", 12}, {"OrganizationSegment", "FAST_FOOD", 18},
    {"OrganizationSegment", "CASUAL_DINING", 22}, {"OrganizationSegment", "CATERING", 10},
    {"OrganizationSegment", "INSTITUTIONAL", 10}, {"OrganizationSegment", "HEALTHCARE", 10},
    {"OrganizationSegment", "EDUCATION", 10}, {"OrganizationSegment", "CORPORATE", 8},
    {"OrganizationType", "PROSPECT", 45}, {"OrganizationType", "CUSTOMER", 45},
    {"OrganizationType", "INACTIVE", 10},
    {"OrganizationStatus", "ACTIVE", 75}, {"OrganizationStatus", "INACTIVE", 10},
    {"OrganizationStatus", "LEAD", 15},
    {"InteractionType", "CALL", 30}, {"InteractionType", "EMAIL", 25},
    {"InteractionType", "MEETING", 12}, {"InteractionType", "VISIT", 10},
    {"InteractionType", "SAMPLE_DELIVERY", 6}, {"InteractionType", "TASTING", 5},
    {"InteractionType", "FOLLOW_UP", 10}, {"InteractionType", "OTHER", 2},
    {"InteractionOutcome", "POSITIVE", 40}, {"InteractionOutcome", "NEUTRAL", 35},
    {"InteractionOutcome", "NEGATIVE", 10}, {"InteractionOutcome", "FOLLOW_UP_NEEDED", 15},
    {"OpportunityStage", "PROSPECTING", 25}, {"OpportunityStage", "QUALIFICATION", 20},
    {"OpportunityStage", "PROPOSAL", 18}, {"OpportunityStage", "NEGOTIATION", 12},
    {"OpportunityStage", "CLOSED_WON", 15}, {"OpportunityStage", "CLOSED_LOST", 10},
    {"LeadSource", "WEBSITE", 30}, {"LeadSource", "REFERRAL", 20},
    {"LeadSource", "TRADE_SHOW", 20}, {"LeadSource", "COLD_CALL", 15},
    {"LeadSource", "SOCIAL_MEDIA", 10}, {"LeadSource", "OTHER", 5},
    {"LeadStatus", "NEW", 30}, {"LeadStatus", "CONTACTED", 25}, {"LeadStatus", "QUALIFIED", 20},
    {"LeadStatus", "CONVERTED", 15}, {"LeadStatus", "LOST", 10},
    {"ContractStatus", "DRAFT", 10}, {"ContractStatus", "PENDING", 10},
    {"ContractStatus", "ACTIVE", 50}, {"ContractStatus", "EXPIRED", 20},
    {"ContractStatus", "TERMINATED", 10},
};

/* ------------------------------------------------------------------------
 * Dirt (--messy): kinds, rates, and the spellings used.
 * ------------------------------------------------------------------------ */


/* bp: basis points (1/10,000) of the eligible non-NULL cells of a column. */
const struct dirt_info dirt_info[D_COUNT] = {
    {"enum_variant", 150, "enum spelling that normalises to a label (trim, upper-case, "
                          "' ' and '-' to '_'): 'Fine Dining', ' FAST FOOD ', 'fast-food'"},
    {"enum_synonym", 50, "enum value that only the synonym table maps: 'QSR', 'HOSPITAL', 'K12'"},
    {"enum_unmatched", 50, "enum value that matches nothing: 'Steakhouse?\?', 'N/A'"},
    {"enum_empty", 50, "empty string in an enum column"},
    {"enum_null", 50, "NULL in an enum column that section 1 declares NOT NULL"},
    {"orphan", 100, "reference to a parent row that does not exist (FK created WITH NOCHECK)"},
    {"bad_email", 150, "malformed email: 'bob@', no at sign, a space, '@@', no dot in the domain"},
    {"email_case_dup", 100, "Contact email equal to an earlier contact's but for letter case"},
    {"email_repairable", 100, "email with blanks around it (' ', U+00A0) or a 'mailto:' prefix"},
    {"nul", 50, "U+0000 inside the text"},
    {"lone_surrogate", 50, "unpaired UTF-16 surrogate (WTF-8 bytes ED A0..BF xx, or \\uD83D "
                           "with --surrogates=escape)"},
    {"terminal_escape", 50, "ANSI CSI / OSC 52 / OSC 8 escape sequence or U+202E in a name"},
    {"far_date", 50, "0001-01-01, 1899-12-30 or 9999-12-31 23:59:59.9999999"},
    {"datetime_rounding", 100, "DATETIME2 with a non-zero 7th fractional digit (100 ns), "
                               "which microseconds must round; far dates not counted"},
    {"decimal_scale", 100, "three decimals in a DECIMAL(14,2) column: '10.125'"},
    {"non_uuid_id", 100, "CRM primary key that is a numeric string or a cuid, child rows "
                         "referring to it by that id"},
    {"huge_text", 0, "NVARCHAR(MAX) value of more than 1 MiB: 1 + S/50000 in Organization.notes, "
                     "1 + S/100000 in Interaction.description"},
    {"non_uuid_ref", 0, "not dirt: a reference to a parent whose id is not a UUID"},
};

/* Each is in data/synonyms.conf, the engine's default table (tests/gen.sh
 * checks), so a synonym here is one the engine maps, not a rejected value. */
const struct synonym synonyms[] = {
    {"OrganizationPriority", "1", "A"}, {"OrganizationPriority", "Tier 2", "B"},
    {"OrganizationSegment", "QSR", "FAST_FOOD"}, {"OrganizationSegment", "HOSPITAL", "HEALTHCARE"},
    {"OrganizationSegment", "K12", "EDUCATION"}, {"OrganizationSegment", "UNIVERSITY", "EDUCATION"},
    {"OrganizationSegment", "Corrections", "INSTITUTIONAL"},
    {"OrganizationSegment", "BANQUETS", "CATERING"},
    {"OrganizationType", "CLIENT", "CUSTOMER"},
    {"OrganizationStatus", "DISABLED", "INACTIVE"},
    {"InteractionType", "PHONE", "CALL"}, {"InteractionType", "E-MAIL", "EMAIL"},
    {"InteractionType", "SITE VISIT", "VISIT"},
    {"InteractionOutcome", "GOOD", "POSITIVE"}, {"InteractionOutcome", "BAD", "NEGATIVE"},
    {"OpportunityStage", "WON", "CLOSED_WON"}, {"OpportunityStage", "LOST", "CLOSED_LOST"},
    {"OpportunityStage", "QUOTE", "PROPOSAL"},
    {"LeadSource", "WEB", "WEBSITE"}, {"LeadSource", "TRADESHOW", "TRADE_SHOW"},
    {"LeadSource", "LINKEDIN", "SOCIAL_MEDIA"},
    {"LeadStatus", "WORKING", "CONTACTED"}, {"LeadStatus", "DEAD", "LOST"},
    {"ContractStatus", "SIGNED", "ACTIVE"}, {"ContractStatus", "CANCELLED", "TERMINATED"},
};

const char *const unmatched_values[] = {
    "Steakhouse?\?", "N/A", "TBD", "unknown", "#REF!", "null", "?", "see notes",
};

const char *const far_dates[] = {
    "0001-01-01 00:00:00.0000000", "9999-12-31 23:59:59.9999999", "1899-12-30 00:00:00.0000000",
};

const char *const escapes_pre[] = {
    "\x1b[31m", "\xe2\x80\xae", "\x1b[2J\x1b[H", "",
};
const char *const escapes_post[] = {
    "\x1b[0m", "", "", "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07",
};

/* Where the huge NVARCHAR(MAX) values go: 1 + S / per rows of the column. */
const struct huge_target huge_targets[] = {
    {"Organization", "notes", 50000},
    {"Interaction", "description", 100000},
};


