import { Link, useNavigate } from "react-router";
import { useAuth } from "../auth.ts";
import { Avatar } from "../../components/Avatar.tsx";
import { usePublicProfileQuery } from "../../data/profiles/index.ts";
import { displayName } from "../../lib/names.ts";
import { useLocalSession } from "./LocalAuthProvider.tsx";
import { useSignInPath } from "../signInPath.ts";
import "./LocalAccountControl.css";

/** The header's account control in local mode. */
export function LocalAccountControl() {
  const { userId } = useLocalSession();
  const signInPath = useSignInPath();
  if (!userId) {
    return (
      <Link className="button button--primary" to={signInPath}>
        Sign in
      </Link>
    );
  }
  return <SignedInAs userId={userId} />;
}

function SignedInAs({ userId }: { userId: string }) {
  const { signOut } = useLocalSession();
  const { isAdmin } = useAuth();
  const navigate = useNavigate();
  const profile = usePublicProfileQuery(userId);
  // Never the raw id: a placeholder until the name has loaded, "Your account" if there is none yet.
  const name = profile.data ? displayName(profile.data) : null;
  return (
    <div className="account">
      <Link className="account__who" to="/me" title={name ? `Signed in as ${name}` : "Signed in"}>
        {name ? <Avatar src={profile.data?.image_url ?? null} name={name} size="small" /> : <span className="avatar avatar--small avatar--placeholder" aria-hidden="true" />}
        {name ? (
          <span className="account__name">{name}</span>
        ) : profile.isPending ? (
          <span className="account__name account__name--pending">
            <span className="visually-hidden">Signed in</span>
          </span>
        ) : (
          <span className="account__name">Your account</span>
        )}
      </Link>
      {isAdmin ? (
        <span className="badge badge--admin" title="This local token carries metadata.role = admin">
          Admin
        </span>
      ) : null}
      <button
        type="button"
        className="button button--quiet"
        onClick={() => {
          signOut();
          navigate("/");
        }}
      >
        Sign out
      </button>
    </div>
  );
}
