"""Sign-in for the web app: an Amazon Cognito user pool, its groups, hosted UI and app client.

- **Users** are created by an admin (no self sign-up), sign in with their user name, and get a
  temporary password that must be changed at first sign-in. Passwords: 12+ characters with lower and
  upper case, digits and symbols. MFA is optional, TOTP only (no SMS). The pool is on the Plus feature
  plan with threat protection in full-function mode (compromised-credential checks, adaptive
  authentication that can ask for the TOTP on a risky sign-in), as cdk-nag asks (COG8).
- **Attributes** `custom:employee_id` (a supervisor's Plex employee id: the items routed to them) and
  `custom:departments` (comma-separated: the departments whose items they see) are mutable for admins
  (`admin-update-user-attributes`) and read-only for the app client, so nobody edits their own scope.
- **Groups** are the web app's roles, `plexlabor.review.queue.Role`: supervisor, planner, hr, admin.
- **Hosted UI** on the Cognito domain `plexlabor-<stage>-<account id>` (domain prefixes are unique per
  region across every AWS account: the account id keeps two plants' stacks from colliding).
- **App client** for the web app: authorization-code grant with PKCE, scope `openid` only (the ID
  token carries every attribute the client may read; no `aws.cognito.signin.user.admin`), callback
  `<api>/auth/callback`, sign-out back to `<api>/login`; no client secret (docs/decision_log.md,
  2026-12-04): the code exchange is bound to the PKCE verifier the browser that started the sign-in
  holds, and a secret would have to travel from Cognito to the function through a custom resource or
  an operator. ID and access tokens last 1 hour (a group change reaches the app within the hour),
  the refresh token 12 hours (a shift: `/login` renews the session with it); revocable at sign-out.

The pool is RETAINed and deletion-protected, like the audit table: the accounts and their groups are
who the audit trail's decisions name. The URL the client is registered with is the API URL built from
the RestApi id and the stage name (`Api.url`), not from the Stage resource: the stage depends on the
methods, the methods on the authorizer, the authorizer's function on this client.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, Fn, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.constants import SERVICE_NAME
from infra.nag import acknowledge
from plexlabor.review.queue import Role

AUTH_ID = "Auth"
"""The construct's id in the stack (stable: renaming it replaces the user pool and its users)."""
EMPLOYEE_ID_ATTRIBUTE = "employee_id"
DEPARTMENTS_ATTRIBUTE = "departments"
CALLBACK_PATH = "auth/callback"
SIGNED_OUT_PATH = "login"
ID_TOKEN_HOURS = 1
REFRESH_TOKEN_HOURS = 12
MIN_PASSWORD_LENGTH = 12
GROUP_DESCRIPTIONS: dict[Role, str] = {
    Role.SUPERVISOR: "Decides the items routed to them and those of their departments (custom:departments)",
    Role.PLANNER: "Decides crew assignments, short seats, labor variances and overtime projections, plant-wide",
    Role.HR: "Decides certification alerts and cross-training suggestions, plant-wide",
    Role.EHS: "The EHS lead: confirms or corrects incident codes the model was not sure of, plant-wide",
    Role.ADMIN: "Sees and decides everything; sees everyone's KPI rows",
    Role.OPERATOR: "Asks the operator copilot at a shop-floor tablet; decides nothing",
}

OPTIONAL_MFA_REASON = (
    "MFA is optional (TOTP only, no SMS) on purpose: supervisors often sign in on shared shop-floor "
    "terminals where phones are not allowed, so a required second factor would lock them out. Admins "
    "create every account (no self sign-up), passwords are long and complex, and the Plus plan's threat "
    "protection blocks compromised credentials and asks for the TOTP on risky sign-ins of users who set "
    "one up. Set mfa=REQUIRED in infra/constructs/auth.py where the plant's policy demands it."
)


class Auth(Construct):
    """The user pool, its six groups, the hosted UI domain and the web app's client."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: str, app_url: str) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"{SERVICE_NAME}-{stage}",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            sign_in_case_sensitive=False,
            password_policy=cognito.PasswordPolicy(
                min_length=MIN_PASSWORD_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,  # others: an admin resets the password
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            custom_attributes={
                EMPLOYEE_ID_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=64, mutable=True),
                DEPARTMENTS_ATTRIBUTE: cognito.StringAttribute(max_len=2048, mutable=True),
            },
            user_invitation=cognito.UserInvitationConfig(
                email_subject="Your plexlabor account",
                email_body=Fn.join(
                    "",
                    [
                        "You have a plexlabor account. User name: {username}. Temporary password: {####} "
                        "(valid 3 days; you choose your own at first sign-in). Sign in at ",
                        app_url,
                        SIGNED_OUT_PATH,
                    ],
                ),
            ),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(self.user_pool.node.default_child, "AwsSolutions-COG2", OPTIONAL_MFA_REASON)  # type: ignore[arg-type]
        self.groups = {
            role: cognito.UserPoolGroup(
                self,
                f"{role.value.capitalize()}Group",
                user_pool=self.user_pool,
                group_name=role.value,
                description=GROUP_DESCRIPTIONS[role],
            )
            for role in Role
        }
        prefix = Fn.join("-", [SERVICE_NAME, stage, Aws.ACCOUNT_ID])  # unique per region across accounts
        self.domain = self.user_pool.add_domain(
            "HostedUi", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix)
        )
        self.callback_url = Fn.join("", [app_url, CALLBACK_PATH])
        self.signed_out_url = Fn.join("", [app_url, SIGNED_OUT_PATH])
        self.client = self.user_pool.add_client(
            "WebAppClient",
            user_pool_client_name=f"{SERVICE_NAME}-{stage}-web-app",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID],
                callback_urls=[self.callback_url],
                logout_urls=[self.signed_out_url],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(ID_TOKEN_HOURS),
            access_token_validity=Duration.hours(ID_TOKEN_HOURS),
            refresh_token_validity=Duration.hours(REFRESH_TOKEN_HOURS),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, email_verified=True, fullname=True, preferred_username=True)
            .with_custom_attributes(EMPLOYEE_ID_ATTRIBUTE, DEPARTMENTS_ATTRIBUTE),
            write_attributes=cognito.ClientAttributes(),  # none: employee id, departments and groups are an admin's
        )

    @property
    def user_pool_id(self) -> str:
        return self.user_pool.user_pool_id

    @property
    def client_id(self) -> str:
        return self.client.user_pool_client_id

    @property
    def hosted_ui_url(self) -> str:
        """`https://<prefix>.auth.<region>.amazoncognito.com` (no trailing slash)."""
        return self.domain.base_url()
