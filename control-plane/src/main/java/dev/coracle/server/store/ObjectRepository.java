package dev.coracle.server.store;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

import java.util.List;

interface ObjectRepository extends JpaRepository<ObjectRecord, ObjectKey> {

    @Query("select o from ObjectRecord o where o.key.resource = ?1 and o.key.namespace = ?2 and o.key.name > ?3 order by o.key.name")
    List<ObjectRecord> listNamespace(String resource, String namespace, String afterName, Limit limit);

    @Query("""
            select o from ObjectRecord o where o.key.resource = ?1
              and (o.key.namespace > ?2 or (o.key.namespace = ?2 and o.key.name > ?3))
            order by o.key.namespace, o.key.name""")
    List<ObjectRecord> listAll(String resource, String afterNamespace, String afterName, Limit limit);

    @Query("select count(o) from ObjectRecord o where o.key.resource = ?1")
    long countByResource(String resource);

    @Query("select o.key.resource, count(o) from ObjectRecord o group by o.key.resource")
    List<Object[]> countAll();
}
