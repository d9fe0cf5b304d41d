export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[];

export type Database = {
  public: {
    Tables: {
      clerk_event_audit: {
        Row: {
          action: string;
          actor: string;
          at: string;
          detail: NonNullable<Json>;
          id: number;
          reason: string | null;
          svix_id: string;
        };
        ComputedFields: never;
        Insert: {
          action: string;
          actor: string;
          at?: string;
          detail?: NonNullable<Json>;
          id?: never;
          reason?: string | null;
          svix_id: string;
        };
        Update: {
          action?: string;
          actor?: string;
          at?: string;
          detail?: NonNullable<Json>;
          id?: never;
          reason?: string | null;
          svix_id?: string;
        };
        Relationships: [];
      };
      clerk_events: {
        Row: {
          attempts: number;
          clamped_from: string | null;
          discarded_at: string | null;
          discarded_by: string | null;
          duplicates: number;
          error: string | null;
          event_at: string;
          instance_id: string | null;
          last_duplicate_at: string | null;
          object_id: string | null;
          outcome: Database["public"]["Enums"]["clerk_event_outcome"];
          payload: Json | null;
          received_at: string;
          source: string;
          svix_id: string;
          type: string;
        };
        ComputedFields: never;
        Insert: {
          attempts?: number;
          clamped_from?: string | null;
          discarded_at?: string | null;
          discarded_by?: string | null;
          duplicates?: number;
          error?: string | null;
          event_at: string;
          instance_id?: string | null;
          last_duplicate_at?: string | null;
          object_id?: string | null;
          outcome: Database["public"]["Enums"]["clerk_event_outcome"];
          payload?: Json | null;
          received_at?: string;
          source?: never;
          svix_id: string;
          type: string;
        };
        Update: {
          attempts?: number;
          clamped_from?: string | null;
          discarded_at?: string | null;
          discarded_by?: string | null;
          duplicates?: number;
          error?: string | null;
          event_at?: string;
          instance_id?: string | null;
          last_duplicate_at?: string | null;
          object_id?: string | null;
          outcome?: Database["public"]["Enums"]["clerk_event_outcome"];
          payload?: Json | null;
          received_at?: string;
          source?: never;
          svix_id?: string;
          type?: string;
        };
        Relationships: [];
      };
      countries: {
        Row: {
          code: string;
          name: string;
        };
        ComputedFields: never;
        Insert: {
          code: string;
          name: string;
        };
        Update: {
          code?: string;
          name?: string;
        };
        Relationships: [];
      };
      organization_memberships: {
        Row: {
          clerk_created_at: string | null;
          clerk_id: string;
          clerk_updated_at: string | null;
          deleted_at: string | null;
          event_at: string;
          event_id: string;
          first_name: string | null;
          image_url: string | null;
          last_name: string | null;
          organization_id: string;
          permissions: string[];
          public_metadata: NonNullable<Json>;
          role: string | null;
          synced_at: string;
          user_id: string;
        };
        ComputedFields: never;
        Insert: {
          clerk_created_at?: string | null;
          clerk_id: string;
          clerk_updated_at?: string | null;
          deleted_at?: string | null;
          event_at: string;
          event_id: string;
          first_name?: string | null;
          image_url?: string | null;
          last_name?: string | null;
          organization_id: string;
          permissions?: string[];
          public_metadata?: NonNullable<Json>;
          role?: string | null;
          synced_at?: string;
          user_id: string;
        };
        Update: {
          clerk_created_at?: string | null;
          clerk_id?: string;
          clerk_updated_at?: string | null;
          deleted_at?: string | null;
          event_at?: string;
          event_id?: string;
          first_name?: string | null;
          image_url?: string | null;
          last_name?: string | null;
          organization_id?: string;
          permissions?: string[];
          public_metadata?: NonNullable<Json>;
          role?: string | null;
          synced_at?: string;
          user_id?: string;
        };
        Relationships: [];
      };
      organizations: {
        Row: {
          clerk_created_at: string | null;
          clerk_id: string;
          clerk_updated_at: string | null;
          created_by: string | null;
          deleted_at: string | null;
          event_at: string;
          event_id: string;
          image_url: string | null;
          name: string | null;
          public_metadata: NonNullable<Json>;
          slug: string | null;
          synced_at: string;
        };
        ComputedFields: never;
        Insert: {
          clerk_created_at?: string | null;
          clerk_id: string;
          clerk_updated_at?: string | null;
          created_by?: string | null;
          deleted_at?: string | null;
          event_at: string;
          event_id: string;
          image_url?: string | null;
          name?: string | null;
          public_metadata?: NonNullable<Json>;
          slug?: string | null;
          synced_at?: string;
        };
        Update: {
          clerk_created_at?: string | null;
          clerk_id?: string;
          clerk_updated_at?: string | null;
          created_by?: string | null;
          deleted_at?: string | null;
          event_at?: string;
          event_id?: string;
          image_url?: string | null;
          name?: string | null;
          public_metadata?: NonNullable<Json>;
          slug?: string | null;
          synced_at?: string;
        };
        Relationships: [];
      };
      profiles: {
        Row: {
          bio: string | null;
          birthday: string | null;
          birthday_public: boolean;
          clerk_created_at: string | null;
          clerk_id: string;
          clerk_updated_at: string | null;
          country: string | null;
          deleted_at: string | null;
          email: string | null;
          event_at: string;
          event_id: string;
          first_name: string | null;
          image_url: string | null;
          last_name: string | null;
          public_metadata: NonNullable<Json>;
          synced_at: string;
          username: string | null;
        };
        ComputedFields: never;
        Insert: {
          bio?: string | null;
          birthday?: string | null;
          birthday_public?: boolean;
          clerk_created_at?: string | null;
          clerk_id: string;
          clerk_updated_at?: string | null;
          country?: string | null;
          deleted_at?: string | null;
          email?: string | null;
          event_at: string;
          event_id: string;
          first_name?: string | null;
          image_url?: string | null;
          last_name?: string | null;
          public_metadata?: NonNullable<Json>;
          synced_at?: string;
          username?: string | null;
        };
        Update: {
          bio?: string | null;
          birthday?: string | null;
          birthday_public?: boolean;
          clerk_created_at?: string | null;
          clerk_id?: string;
          clerk_updated_at?: string | null;
          country?: string | null;
          deleted_at?: string | null;
          email?: string | null;
          event_at?: string;
          event_id?: string;
          first_name?: string | null;
          image_url?: string | null;
          last_name?: string | null;
          public_metadata?: NonNullable<Json>;
          synced_at?: string;
          username?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "profiles_country_fkey";
            columns: ["country"];
            isOneToOne: false;
            referencedRelation: "countries";
            referencedColumns: ["code"];
          },
        ];
      };
    };
    Views: {
      my_organizations: {
        Row: {
          image_url: string | null;
          joined_at: string | null;
          members_count: number | null;
          name: string | null;
          organization_id: string;
          role: string | null;
          slug: string | null;
        };
        ComputedFields: never;
        Relationships: [];
      };
      organization_members: {
        Row: {
          first_name: string | null;
          image_url: string | null;
          joined_at: string | null;
          last_name: string | null;
          membership_id: string;
          organization_id: string;
          role: string | null;
          user_id: string;
          username: string | null;
        };
        ComputedFields: never;
        Relationships: [];
      };
      public_organizations: {
        Row: {
          clerk_id: string;
          created_at: string | null;
          image_url: string | null;
          members_count: number | null;
          name: string | null;
          slug: string | null;
        };
        ComputedFields: never;
        Insert: {
          clerk_id?: string | null;
          created_at?: string | null;
          image_url?: string | null;
          members_count?: never;
          name?: string | null;
          slug?: string | null;
        };
        Update: {
          clerk_id?: string | null;
          created_at?: string | null;
          image_url?: string | null;
          members_count?: never;
          name?: string | null;
          slug?: string | null;
        };
        Relationships: [];
      };
      public_profiles: {
        Row: {
          bio: string | null;
          birthday: string | null;
          clerk_id: string;
          country: string | null;
          created_at: string | null;
          first_name: string | null;
          image_url: string | null;
          last_name: string | null;
          username: string | null;
        };
        ComputedFields: never;
        Insert: {
          bio?: string | null;
          birthday?: never;
          clerk_id?: string | null;
          country?: string | null;
          created_at?: string | null;
          first_name?: string | null;
          image_url?: string | null;
          last_name?: string | null;
          username?: string | null;
        };
        Update: {
          bio?: string | null;
          birthday?: never;
          clerk_id?: string | null;
          country?: string | null;
          created_at?: string | null;
          first_name?: string | null;
          image_url?: string | null;
          last_name?: string | null;
          username?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "profiles_country_fkey";
            columns: ["country"];
            isOneToOne: false;
            referencedRelation: "countries";
            referencedColumns: ["code"];
          },
        ];
      };
    };
    Functions: {
      apply_clerk_event: {
        Args: { event: Json };
        Returns: Database["public"]["Enums"]["clerk_event_outcome"];
      };
      apply_clerk_events: {
        Args: { events: Json };
        Returns: Database["public"]["Enums"]["clerk_event_outcome"][];
      };
      authorize_sync_admin: {
        Args: Record<PropertyKey, never>;
        Returns: string;
      };
      claim_self_sync: {
        Args: { p_clerk_id: string; p_interval_seconds: number };
        Returns: number;
      };
      discard_failed_event: {
        Args: { message_id: string; on_behalf_of?: string; reason?: string };
        Returns: Json;
      };
      profile_feed: {
        Args: {
          before_clerk_id?: string;
          before_created_at?: string;
          country?: string;
          page_size?: number;
          search?: string;
        };
        Returns: {
          bio: string | null;
          birthday: string | null;
          clerk_id: string;
          country: string | null;
          created_at: string | null;
          first_name: string | null;
          image_url: string | null;
          last_name: string | null;
          username: string | null;
        }[];
        SetofOptions: {
          from: "*";
          to: "public_profiles";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      profile_feed_count: {
        Args: { country?: string; search?: string; up_to?: number };
        Returns: number;
      };
      prune_clerk_events: {
        Args: { payloads_older_than?: string; rows_older_than?: string };
        Returns: Json;
      };
      session_clerk_id: { Args: Record<PropertyKey, never>; Returns: string };
      sync_health: { Args: { stale_after_seconds?: number }; Returns: Json };
      sync_health_report: {
        Args: { stale_after_seconds?: number; window_minutes?: number };
        Returns: Json;
      };
    };
    Enums: {
      clerk_event_outcome:
        "applied" | "duplicate" | "stale" | "ignored" | "failed" | "discarded";
    };
    CompositeTypes: {
      [_ in never]: never;
    };
  };
};

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">;

type DefaultSchema = DatabaseWithoutInternals[Extract<
  keyof Database,
  "public"
>];

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals;
}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R;
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R;
      }
      ? R
      : never
    : never;

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    keyof DefaultSchema["Tables"] | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals;
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I;
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I;
      }
      ? I
      : never
    : never;

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    keyof DefaultSchema["Tables"] | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals;
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U;
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U;
      }
      ? U
      : never
    : never;

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    keyof DefaultSchema["Enums"] | { schema: keyof DatabaseWithoutInternals },
  EnumName extends (DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never) = never,
> = DefaultSchemaEnumNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals;
}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never;

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends (PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never) = never,
> = PublicCompositeTypeNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals;
}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never;

export const Constants = {
  public: {
    Enums: {
      clerk_event_outcome: [
        "applied",
        "duplicate",
        "stale",
        "ignored",
        "failed",
        "discarded",
      ],
    },
  },
} as const;
